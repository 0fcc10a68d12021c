// GraphQL enum values the pages offer as choices, spelled as schema/transferhub.graphql spells
// them: one list each, shared by every area that shows or edits them.

/** `AchievementType` (成果类型). */
export const ACHIEVEMENT_TYPES = ['PATENT', 'SOFTWARE_COPYRIGHT', 'PLANT_VARIETY', 'KNOW_HOW', 'OTHER'] as const
export type AchievementType = (typeof ACHIEVEMENT_TYPES)[number]

/** `TransferMode` (转化方式), in the order of 促进科技成果转化法 Art. 16. */
export const TRANSFER_MODES = [
  'SELF_IMPLEMENTATION',
  'ASSIGNMENT',
  'LICENCE',
  'JOINT_IMPLEMENTATION',
  'EQUITY_INVESTMENT',
  'OTHER',
] as const
export type TransferMode = (typeof TRANSFER_MODES)[number]

/** `FeedbackKind`: what a party says of a suggested pair. */
export const FEEDBACK_KINDS = ['INTERESTED', 'NOT_RELEVANT', 'CONTACTED'] as const
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number]
