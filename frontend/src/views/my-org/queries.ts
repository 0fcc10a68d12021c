// Why this file exists: the GraphQL operations of the my-org journey (an organisation's own
// achievements in every status, their creation, editing, publication and withdrawal, and
// invitations), written against schema/transferhub.graphql.
import type { AchievementStatus, AchievementType, TransferMode } from '@/views/needs/model'

export interface OrgAchievement {
  id: string
  title: string
  titleEn: string | null
  type: AchievementType
  status: AchievementStatus
  maturity: number | null
  publishedAt: string | null
  updatedAt: string
  patents: { applicationNumber: string }[]
}

export interface FullAchievement extends OrgAchievement {
  inventors: string[]
  summary: string
  summaryEn: string | null
  keywords: string[]
  industry: { code: string } | null
  ipcCodes: string[]
  transferModes: TransferMode[]
  askingPriceYuan: number | null
  priceNegotiable: boolean
  contact: { name: string | null; phone: string | null; email: string | null }
  regionCode: string | null
  organisation: { id: string; key: string; nameZh: string; nameEn: string | null }
  patents: { applicationNumber: string; publicationNumber: string | null; granted: boolean; type: string }[]
}

const ROW = `id title titleEn type status maturity publishedAt updatedAt patents { applicationNumber }`

export const ORG_OVERVIEW = `query MyOrg($key: String!) {
  organisation(key: $key) {
    id key nameZh nameEn kind regionCode website descriptionZh
    all: achievements(first: 1, filter: { organisation: $key }) { totalCount }
    draft: achievements(first: 1, filter: { organisation: $key, status: DRAFT }) { totalCount }
    published: achievements(first: 1, filter: { organisation: $key, status: PUBLISHED }) { totalCount }
    withdrawn: achievements(first: 1, filter: { organisation: $key, status: WITHDRAWN }) { totalCount }
  }
}`

export const ORG_ACHIEVEMENTS = `query MyOrgAchievements($first: Int, $after: String, $filter: AchievementFilter) {
  achievements(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ${ROW} }
  }
}`

const FULL = `${ROW}
  inventors summary summaryEn keywords industry { code } ipcCodes transferModes
  askingPriceYuan priceNegotiable contact { name phone email } regionCode
  organisation { id key nameZh nameEn }
  patents { applicationNumber publicationNumber granted type }`

export const ACHIEVEMENT = `query OrgAchievement($id: ID!) { achievement(id: $id) { ${FULL} } }`

export const CREATE_ACHIEVEMENT = `mutation CreateAchievement($input: CreateAchievementInput!) {
  createAchievement(input: $input) { achievement { ${FULL} } }
}`

export const UPDATE_ACHIEVEMENT = `mutation UpdateAchievement($id: ID!, $input: UpdateAchievementInput!) {
  updateAchievement(id: $id, input: $input) { achievement { ${FULL} } }
}`

export const PUBLISH = `mutation PublishAchievement($id: ID!) {
  publishAchievement(id: $id) { achievement { id status publishedAt updatedAt } }
}`

export const WITHDRAW = `mutation WithdrawAchievement($id: ID!) {
  withdrawAchievement(id: $id) { achievement { id status updatedAt } }
}`

export const INVITE = `mutation InviteMember($input: InviteMemberInput!) {
  inviteMember(input: $input) { invitation { id email role createdAt acceptedAt } }
}`

/** Members and invitations (organisation admins of that organisation and platform admins). */
export const PEOPLE = `query OrgPeople($key: String!) {
  organisation(key: $key) {
    invitations { id email role createdAt acceptedAt }
    id
    members { personId email displayName role joinedAt }
  }
}`

/** Member management (org admins): role changes, removal, handing the admin role over. */
export const SET_ROLE = `mutation SetMemberRole($org: ID!, $person: ID!, $role: Role!) {
  setMemberRole(organisationId: $org, personId: $person, role: $role) { membership { personId role } }
}`
export const REMOVE_MEMBER = `mutation RemoveMember($org: ID!, $person: ID!) {
  removeMember(organisationId: $org, personId: $person) { membership { personId } }
}`
export const HAND_OVER = `mutation HandOverOrgAdmin($org: ID!, $to: ID!) {
  handOverOrgAdmin(organisationId: $org, toPersonId: $to) { newAdmin { personId role } }
}`
export const REVOKE_INVITATION = `mutation RevokeInvitation($id: ID!) {
  revokeInvitation(id: $id) { invitation { id } }
}`
/** A member leaves (any member; the last org admin hands the role over first). */
export const LEAVE = `mutation LeaveOrganisation($org: ID!) {
  leaveOrganisation(organisationId: $org) { membership { personId } }
}`

export interface Member {
  personId: string
  email: string | null
  displayName: string
  role: string
  joinedAt: string
}

export interface Invitation {
  id: string
  email: string
  role: string
  createdAt: string
  acceptedAt: string | null
}
