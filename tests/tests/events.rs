//! Matchmaking events end to end over GraphQL and HTTP, on SQLite and PostgreSQL: an organiser
//! runs an event from registration to outcomes; bad input gets its code and changes nothing;
//! two concurrent schedules — one wins; the served agenda parses with Python's `icalendar`;
//! `eventUpdates` streams a committed schedule.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use transferhub_schema::entity::{audit_log, event, event_meeting, event_participant};
use transferhub_schema::enums::Role;
use transferhub_tests::{backends, error_code, Backend, TestHub};

const CREATE: &str = r#"mutation($input: CreateEventInput!){ createEvent(input:$input){ event{
  id title tables meetingMinutes scheduleVersion sessions{ id name meetingCap } slots{ index startsAt } organiser{ key } } } }"#;
const REGISTER: &str = r#"mutation($e: ID!, $input: RegisterForEventInput!){ registerForEvent(eventId:$e, input:$input){ participant{ id booth host organisation{ key } } } }"#;
const REQUEST: &str = r#"mutation($input: RequestMeetingInput!){ requestMeeting(input:$input){ meeting{ id status priority } } }"#;
const RESPOND: &str = r#"mutation($id: ID!, $r: MeetingResponse!){ respondToMeeting(id:$id, response:$r){ meeting{ id status } } }"#;
const SCHEDULE: &str = r#"mutation($e: ID!, $input: ScheduleEventInput){ scheduleEvent(eventId:$e, input:$input){
  placed moved totalPriority upperBound event{ scheduleVersion } unplaced{ reason detail meeting{ id } } } }"#;

fn event_input(tables: i64) -> Value {
    json!({
        "title": "2026 呼和浩特科技成果对接会",
        "description": "高校院所成果路演与企业技术需求 1:1 洽谈",
        "location": "呼和浩特 内蒙古科技馆",
        "meetingMinutes": 30,
        "tables": tables,
        "requestMode": "ACCEPT_DECLINE",
        "requestExpiryHours": 48,
        "sessions": [
            {"name": "上午场", "startsAt": "2027-06-18T01:00:00Z", "endsAt": "2027-06-18T03:00:00Z",
             "breaks": [{"startsAt": "2027-06-18T02:00:00Z", "endsAt": "2027-06-18T02:15:00Z"}]},
            {"name": "下午场", "startsAt": "2027-06-18T06:00:00Z", "endsAt": "2027-06-18T08:00:00Z", "meetingCap": 2}
        ]
    })
}

fn ok<'a>(r: &'a Value, field: &str) -> &'a Value {
    assert!(r["errors"].is_null(), "{field}: {r}");
    &r["data"][field]
}

async fn create_event(hub: &TestHub, organiser: &str, tables: i64) -> Value {
    let r = hub
        .gql(
            CREATE,
            json!({"input": event_input(tables)}),
            Some(organiser),
        )
        .await;
    ok(&r, "createEvent")["event"].clone()
}

async fn first_id(hub: &TestHub, query: &str, path: &[&str]) -> String {
    let r = hub.gql(query, json!({}), None).await;
    let mut v = &r["data"];
    for p in path {
        v = &v[p];
    }
    v["edges"][0]["node"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {r}"))
        .to_string()
}

async fn register(hub: &TestHub, token: &str, event: &str, input: Value) -> String {
    let r = hub
        .gql(REGISTER, json!({"e": event, "input": input}), Some(token))
        .await;
    ok(&r, "registerForEvent")["participant"]["id"]
        .as_str()
        .expect("participant id")
        .to_string()
}

async fn request(hub: &TestHub, token: &str, event: &str, to: &str, priority: i64) -> String {
    let r = hub
        .gql(
            REQUEST,
            json!({"input": {"eventId": event, "to": to, "priority": priority, "message": "希望洽谈技术许可"}}),
            Some(token),
        )
        .await;
    ok(&r, "requestMeeting")["meeting"]["id"]
        .as_str()
        .expect("meeting id")
        .to_string()
}

async fn respond(hub: &TestHub, token: &str, id: &str, answer: &str) -> Value {
    hub.gql(RESPOND, json!({"id": id, "r": answer}), Some(token))
        .await
}

/// An event with four registrants and accepted meetings, ready to schedule.
struct Setup {
    event: String,
    organiser: String,
    imau: (String, String),
    imut: (String, String),
    dairy: (String, String),
    oats: (String, String),
    meetings: Vec<String>,
}

async fn setup(hub: &TestHub, tables: i64) -> Setup {
    let organiser = hub.token("hhht-tm", Role::Organiser).await;
    let ev = create_event(hub, &organiser, tables).await;
    let event = ev["id"].as_str().expect("id").to_string();
    let mut tok = std::collections::BTreeMap::new();
    for org in ["imau", "imut", "cyx-dairy", "ys-oats", "naas"] {
        tok.insert(org, hub.token(org, Role::Member).await);
    }
    let offer = first_id(
        hub,
        r#"{ achievements(first:1, filter:{organisation:"imau", industry:"C14"}){ edges{ node{ id } } } }"#,
        &["achievements"],
    )
    .await;
    let seek = first_id(
        hub,
        r#"{ needs(first:1, filter:{organisation:"cyx-dairy"}){ edges{ node{ id } } } }"#,
        &["needs"],
    )
    .await;
    let imau = register(
        hub,
        &tok["imau"],
        &event,
        json!({"offers": [offer], "contactName": "李教授"}),
    )
    .await;
    let imut = register(hub, &tok["imut"], &event, json!({})).await;
    let morning = ev["sessions"][0]["id"]
        .as_str()
        .expect("session")
        .to_string();
    let dairy = register(
        hub,
        &tok["cyx-dairy"],
        &event,
        json!({"seeks": [seek], "availability": [morning]}),
    )
    .await;
    let oats = register(hub, &tok["ys-oats"], &event, json!({})).await;
    let m1 = request(hub, &tok["cyx-dairy"], &event, &imau, 5).await;
    let m2 = request(hub, &tok["ys-oats"], &event, &imau, 4).await;
    let m3 = request(hub, &tok["cyx-dairy"], &event, &imut, 3).await;
    let m4 = request(hub, &tok["ys-oats"], &event, &imut, 2).await;
    for (t, m) in [
        (&tok["imau"], &m1),
        (&tok["imau"], &m2),
        (&tok["imut"], &m3),
    ] {
        let r = respond(hub, t, m, "ACCEPT").await;
        assert_eq!(ok(&r, "respondToMeeting")["meeting"]["status"], "ACCEPTED");
    }
    let r = respond(hub, &tok["imut"], &m4, "DECLINE").await;
    assert_eq!(ok(&r, "respondToMeeting")["meeting"]["status"], "DECLINED");
    Setup {
        event,
        organiser,
        imau: (imau, tok["imau"].clone()),
        imut: (imut, tok["imut"].clone()),
        dairy: (dairy, tok["cyx-dairy"].clone()),
        oats: (oats, tok["ys-oats"].clone()),
        meetings: vec![m1, m2, m3, m4],
    }
}

const AGENDA: &str = r#"query($e: ID!, $p: ID!){ event(id:$e){ agenda(participant:$p){ id startsAt endsAt table slotIndex status requester{ id } invitee{ id } } } }"#;

#[tokio::test]
async fn organiser_runs_an_event_from_registration_to_outcomes() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let s = setup(&hub, 2).await;
        // Only the invitee answers: the requester cannot accept its own request.
        let extra = request(&hub, &s.oats.1, &s.event, &s.dairy.0, 1).await;
        let r = respond(&hub, &s.oats.1, &extra, "ACCEPT").await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{backend:?}: {r}");
        let r = respond(&hub, &s.oats.1, &extra, "CANCEL").await;
        assert_eq!(ok(&r, "respondToMeeting")["meeting"]["status"], "CANCELLED");

        let r = hub
            .gql(SCHEDULE, json!({"e": s.event}), Some(&s.organiser))
            .await;
        let p = ok(&r, "scheduleEvent");
        assert_eq!(p["placed"], 3, "{r}");
        assert_eq!(p["unplaced"].as_array().map(Vec::len), Some(0));
        assert_eq!(p["totalPriority"], 12);
        assert_eq!(p["event"]["scheduleVersion"], 1);

        // imau's agenda: two meetings, different slots, real tables; cyx-dairy only mornings.
        let r = hub
            .gql(
                AGENDA,
                json!({"e": s.event, "p": s.imau.0}),
                Some(&s.imau.1),
            )
            .await;
        let agenda = ok(&r, "event")["agenda"]
            .as_array()
            .expect("agenda")
            .clone();
        assert_eq!(agenda.len(), 2, "{r}");
        assert_ne!(agenda[0]["slotIndex"], agenda[1]["slotIndex"]);
        for m in &agenda {
            let t = m["table"].as_i64().expect("table");
            assert!((1..=2).contains(&t), "{m}");
        }
        let r = hub
            .gql(
                AGENDA,
                json!({"e": s.event, "p": s.dairy.0}),
                Some(&s.dairy.1),
            )
            .await;
        for m in ok(&r, "event")["agenda"].as_array().expect("agenda") {
            assert!(
                m["slotIndex"].as_i64().expect("slot") < 3,
                "morning only: {m}"
            );
        }
        // Someone else's agenda is not readable.
        let r = hub
            .gql(
                AGENDA,
                json!({"e": s.event, "p": s.imau.0}),
                Some(&s.oats.1),
            )
            .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

        // Check-in once; outcomes on scheduled meetings only.
        let q = r#"mutation($p: ID!){ checkIn(participantId:$p){ participant{ checkedInAt } } }"#;
        let r = hub.gql(q, json!({"p": s.dairy.0}), Some(&s.dairy.1)).await;
        assert!(ok(&r, "checkIn")["participant"]["checkedInAt"].is_string());
        let r = hub
            .gql(q, json!({"p": s.dairy.0}), Some(&s.organiser))
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        let q = r#"mutation($m: ID!, $o: MeetingOutcome!){ recordMeetingOutcome(meetingId:$m, input:{outcome:$o, note:"拟签订技术许可合同"}){ meeting{ outcome outcomeNote } } }"#;
        let r = hub
            .gql(
                q,
                json!({"m": s.meetings[0], "o": "INTENTION_TO_COOPERATE"}),
                Some(&s.dairy.1),
            )
            .await;
        assert_eq!(
            ok(&r, "recordMeetingOutcome")["meeting"]["outcome"],
            "INTENTION_TO_COOPERATE"
        );
        let r = hub
            .gql(
                q,
                json!({"m": s.meetings[3], "o": "MET"}),
                Some(&s.organiser),
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("CONFLICT"),
            "declined, never scheduled: {r}"
        );
        let r = hub
            .gql(
                r#"query($e: ID!){ event(id:$e){ stats{ participants checkedIn scheduled outcomes{ outcome count } meetingsByStatus{ status count } } } }"#,
                json!({"e": s.event}),
                None,
            )
            .await;
        let st = &ok(&r, "event")["stats"];
        assert_eq!(st["participants"], 4);
        assert_eq!(st["checkedIn"], 1);
        assert_eq!(st["scheduled"], 3);
        let intention = st["outcomes"]
            .as_array()
            .expect("outcomes")
            .iter()
            .find(|o| o["outcome"] == "INTENTION_TO_COOPERATE")
            .expect("intention");
        assert_eq!(intention["count"], 1);

        // Late changes: a cancellation and a new accepted request; re-scheduling keeps the rest.
        let before: Vec<Value> = agenda.clone();
        let r = respond(&hub, &s.imut.1, &s.meetings[2], "CANCEL").await;
        ok(&r, "respondToMeeting");
        let naas = hub.token("naas", Role::Member).await;
        register(&hub, &naas, &s.event, json!({})).await;
        let late = request(&hub, &naas, &s.event, &s.imut.0, 3).await;
        ok(
            &respond(&hub, &s.imut.1, &late, "ACCEPT").await,
            "respondToMeeting",
        );
        let r = hub
            .gql(
                SCHEDULE,
                json!({"e": s.event, "input": {"ifScheduleVersion": 1}}),
                Some(&s.organiser),
            )
            .await;
        let p = ok(&r, "scheduleEvent");
        assert_eq!(p["placed"], 3, "{r}");
        assert_eq!(p["moved"], 0, "nothing needed to move: {r}");
        assert_eq!(p["event"]["scheduleVersion"], 2);
        let r = hub
            .gql(
                AGENDA,
                json!({"e": s.event, "p": s.imau.0}),
                Some(&s.organiser),
            )
            .await;
        let after = ok(&r, "event")["agenda"]
            .as_array()
            .expect("agenda")
            .clone();
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b["id"], a["id"]);
            assert_eq!(b["startsAt"], a["startsAt"], "kept in place");
            assert_eq!(b["table"], a["table"], "same table");
        }
        // Sessions are fixed once a schedule exists.
        let r = hub
            .gql(
                r#"mutation($e: ID!){ updateEvent(id:$e, input:{meetingMinutes: 15}){ event{ id } } }"#,
                json!({"e": s.event}),
                Some(&s.organiser),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        // A stale version is refused.
        let r = hub
            .gql(
                SCHEDULE,
                json!({"e": s.event, "input": {"ifScheduleVersion": 1}}),
                Some(&s.organiser),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    }
}

#[tokio::test]
async fn suggestions_come_from_offers_and_needs_and_can_be_scheduled() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let s = setup(&hub, 3).await;
        let naas = hub.token("naas", Role::Member).await;
        let offer = first_id(
            &hub,
            r#"{ achievements(first:1, filter:{organisation:"naas", industry:"C14"}){ edges{ node{ id } } } }"#,
            &["achievements"],
        )
        .await;
        let naas_p = register(&hub, &naas, &s.event, json!({"offers": [offer]})).await;
        let q = r#"query($e: ID!, $p: ID){ event(id:$e){ suggestedMeetings(participant:$p){ score offerer{ id } seeker{ id } } } }"#;
        let r = hub
            .gql(q, json!({"e": s.event, "p": s.dairy.0}), None)
            .await;
        let sug = ok(&r, "event")["suggestedMeetings"]
            .as_array()
            .expect("list")
            .clone();
        assert!(
            sug.iter().any(|x| x["offerer"]["id"] == naas_p.as_str()
                && x["seeker"]["id"] == s.dairy.0.as_str()),
            "naas offers dairy technology that cyx-dairy seeks: {r}"
        );
        assert!(
            sug.iter().all(|x| x["offerer"]["id"] != s.imau.0.as_str()),
            "imau and cyx-dairy already have a meeting: {r}"
        );
        // Both sides see it.
        let r = hub.gql(q, json!({"e": s.event, "p": naas_p}), None).await;
        assert!(ok(&r, "event")["suggestedMeetings"]
            .as_array()
            .expect("list")
            .iter()
            .any(|x| x["seeker"]["id"] == s.dairy.0.as_str()));
        let r = hub
            .gql(
                SCHEDULE,
                json!({"e": s.event, "input": {"includeSuggested": true}}),
                Some(&s.organiser),
            )
            .await;
        let p = ok(&r, "scheduleEvent");
        assert!(p["placed"].as_i64().expect("placed") >= 4, "{r}");
        let r = hub
            .gql(
                r#"query($e: ID!){ event(id:$e){ meetings(status: SUGGESTED){ edges{ node{ origin startsAt requester{ id } invitee{ id } } } } } }"#,
                json!({"e": s.event}),
                Some(&s.organiser),
            )
            .await;
        let edges = ok(&r, "event")["meetings"]["edges"]
            .as_array()
            .expect("edges")
            .clone();
        assert!(
            edges.iter().any(|e| e["node"]["origin"] == "SUGGESTION"
                && e["node"]["startsAt"].is_string()
                && e["node"]["invitee"]["id"] == naas_p.as_str()),
            "{r}"
        );
    }
}

async fn counts(hub: &TestHub) -> (u64, u64, u64, u64) {
    (
        event::Entity::find().count(&hub.db).await.expect("count"),
        event_participant::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        event_meeting::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
        audit_log::Entity::find()
            .count(&hub.db)
            .await
            .expect("count"),
    )
}

fn field(r: &Value) -> Option<&str> {
    r["errors"][0]["extensions"]["field"].as_str()
}

#[tokio::test]
async fn bad_event_input_gets_clear_errors_and_changes_nothing() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let organiser = hub.token("hhht-tm", Role::Organiser).await;
        let member = hub.token("imau", Role::Member).await;
        let before = counts(&hub).await;

        let mut overlapping = event_input(5);
        overlapping["sessions"][1]["startsAt"] = json!("2027-06-18T02:30:00Z");
        let r = hub
            .gql(CREATE, json!({"input": overlapping}), Some(&organiser))
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{backend:?}: {r}");
        assert_eq!(field(&r), Some("input.sessions[1]"), "{r}");

        let r = hub
            .gql(CREATE, json!({"input": event_input(0)}), Some(&organiser))
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(field(&r), Some("input.tables"), "{r}");

        let mut no_sessions = event_input(5);
        no_sessions["sessions"] = json!([]);
        let r = hub
            .gql(CREATE, json!({"input": no_sessions}), Some(&organiser))
            .await;
        assert_eq!(field(&r), Some("input.sessions"), "{r}");

        let mut reversed = event_input(5);
        reversed["sessions"][0]["endsAt"] = json!("2027-06-18T00:00:00Z");
        let r = hub
            .gql(CREATE, json!({"input": reversed}), Some(&organiser))
            .await;
        assert_eq!(field(&r), Some("input.sessions[0].endsAt"), "{r}");

        let mut huge = event_input(5);
        huge["title"] = json!("对".repeat(5000));
        let r = hub
            .gql(CREATE, json!({"input": huge}), Some(&organiser))
            .await;
        assert_eq!(field(&r), Some("input.title"), "{r}");

        let mut wrong_type = event_input(5);
        wrong_type["tables"] = json!("many");
        let r = hub
            .gql(CREATE, json!({"input": wrong_type}), Some(&organiser))
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");

        let r = hub
            .gql(CREATE, json!({"input": event_input(5)}), Some(&member))
            .await;
        assert_eq!(
            error_code(&r),
            Some("FORBIDDEN"),
            "members do not run events: {r}"
        );
        let r = hub
            .gql(CREATE, json!({"input": event_input(5)}), None)
            .await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        assert_eq!(counts(&hub).await, before, "nothing stored");

        let ev = create_event(&hub, &organiser, 5).await;
        let event = ev["id"].as_str().expect("id").to_string();
        let other_org = hub.token("imut", Role::Member).await;
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"availability": []}}),
                Some(&member),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(field(&r), Some("input.availability"), "{r}");
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"organisation": "imau"}}),
                Some(&other_org),
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("FORBIDDEN"),
            "registering another organisation: {r}"
        );
        let foreign = first_id(
            &hub,
            r#"{ achievements(first:1, filter:{organisation:"imut"}){ edges{ node{ id } } } }"#,
            &["achievements"],
        )
        .await;
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"offers": [foreign]}}),
                Some(&member),
            )
            .await;
        assert_eq!(
            field(&r),
            Some("input.offers[0]"),
            "another organisation's achievement: {r}"
        );
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"offers": ["not-an-id"]}}),
                Some(&member),
            )
            .await;
        assert_eq!(field(&r), Some("input.offers[0]"), "{r}");

        let me = register(&hub, &member, &event, json!({})).await;
        let r = hub
            .gql(REGISTER, json!({"e": event, "input": {}}), Some(&member))
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "registered twice: {r}");
        let them = register(&hub, &other_org, &event, json!({})).await;

        let r = hub
            .gql(
                REQUEST,
                json!({"input": {"eventId": event, "to": me}}),
                Some(&member),
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(field(&r), Some("input.to"), "request to oneself: {r}");
        let r = hub
            .gql(
                REQUEST,
                json!({"input": {"eventId": event, "to": them, "priority": 9}}),
                Some(&member),
            )
            .await;
        assert_eq!(field(&r), Some("input.priority"), "{r}");
        request(&hub, &member, &event, &them, 3).await;
        let r = hub
            .gql(
                REQUEST,
                json!({"input": {"eventId": event, "to": them}}),
                Some(&member),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "duplicate request: {r}");
        let r = hub
            .gql(
                REQUEST,
                json!({"input": {"eventId": event, "to": me}}),
                Some(&other_org),
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("CONFLICT"),
            "the same pair the other way round: {r}"
        );
        let r = hub.gql(SCHEDULE, json!({"e": event}), Some(&member)).await;
        assert_eq!(
            error_code(&r),
            Some("FORBIDDEN"),
            "only the organiser schedules: {r}"
        );
        let other_organiser = hub.token("hhht-ipc", Role::Organiser).await;
        let r = hub
            .gql(SCHEDULE, json!({"e": event}), Some(&other_organiser))
            .await;
        assert_eq!(
            error_code(&r),
            Some("FORBIDDEN"),
            "another organiser's event: {r}"
        );
        let r = hub
            .gql(SCHEDULE, json!({"e": "RXZlbnQ6OTk5OTk"}), Some(&organiser))
            .await;
        assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
        let r = hub
            .gql(
                r#"mutation($e: ID!){ updateEvent(id:$e, input:{tables: 0}){ event{ tables } } }"#,
                json!({"e": event}),
                Some(&organiser),
            )
            .await;
        assert_eq!(field(&r), Some("input.tables"), "{r}");
        let r = hub
            .gql(
                r#"query($e: ID!){ event(id:$e){ tables meetings{ edges{ node{ id } } } } }"#,
                json!({"e": event}),
                None,
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("UNAUTHENTICATED"),
            "meetings are not public: {r}"
        );
    }
}

#[tokio::test]
async fn scheduling_twice_concurrently_one_wins_and_the_schedule_is_whole() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let s = setup(&hub, 2).await;
        let vars = json!({"e": s.event, "input": {"ifScheduleVersion": 0}});
        let (a, b) = tokio::join!(
            hub.gql(SCHEDULE, vars.clone(), Some(&s.organiser)),
            hub.gql(SCHEDULE, vars.clone(), Some(&s.organiser))
        );
        let codes: Vec<Option<&str>> = vec![error_code(&a), error_code(&b)];
        let wins = codes.iter().filter(|c| c.is_none()).count();
        assert_eq!(wins, 1, "{backend:?}: exactly one wins: {a} {b}");
        assert!(codes.contains(&Some("CONFLICT")), "{a} {b}");
        // The newest event is this test's (the demo data holds another).
        let e = event::Entity::find()
            .order_by_desc(event::Column::Id)
            .one(&hub.db)
            .await
            .expect("event")
            .expect("row");
        assert_eq!(e.schedule_version, 1);
        assert!(e.scheduling_since.is_none(), "lease released");
        let placed = event_meeting::Entity::find()
            .filter(event_meeting::Column::EventId.eq(e.id))
            .all(&hub.db)
            .await
            .expect("rows")
            .into_iter()
            .filter(|m| m.slot_index.is_some())
            .count();
        assert_eq!(placed, 3, "the winner's schedule, whole");
    }
}

#[tokio::test]
async fn agenda_ics_parses_with_python_icalendar() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let s = setup(&hub, 2).await;
        ok(
            &hub.gql(SCHEDULE, json!({"e": s.event}), Some(&s.organiser))
                .await,
            "scheduleEvent",
        );
        let url = format!(
            "{}/events/{}/agenda.ics?participant={}",
            hub.url, s.event, s.imau.0
        );
        let resp = hub.http().get(&url).send().await.expect("get");
        assert_eq!(resp.status().as_u16(), 401, "agendas are personal");
        let resp = hub
            .http()
            .get(&url)
            .bearer_auth(&s.oats.1)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 403, "not ys-oats' agenda");
        let resp = hub
            .http()
            .get(format!("{}/events/{}/agenda.ics", hub.url, s.event))
            .bearer_auth(&s.imau.1)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 400, "participant is required");
        let resp = hub
            .http()
            .get(&url)
            .bearer_auth(&s.imau.1)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status().as_u16(), 200);
        assert!(resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/calendar")));
        let body = resp.text().await.expect("body");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("agenda.ics");
        std::fs::write(&path, &body).expect("write");
        let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
evs = [c for c in cal.walk('VEVENT')]
for e in evs:
    assert e.get('UID') and e.get('DTSTART') and e.get('DTEND'), e
    assert e.decoded('DTEND') > e.decoded('DTSTART')
print(len(evs))
for e in sorted(evs, key=lambda e: e.decoded('DTSTART')):
    print(e.decoded('DTSTART').isoformat(), str(e.get('LOCATION')), str(e.get('SUMMARY')))
"#;
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output()
            .expect("python3 with icalendar (scripts/test.sh installs it)");
        assert!(
            out.status.success(),
            "icalendar rejected the agenda: {}\n{body}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("2"), "{text}");
        let first = lines.next().expect("first event");
        assert!(first.contains("号桌"), "table in the location: {first}");
        assert!(
            first.contains("草原鲜乳业"),
            "counterpart in the summary: {first}"
        );
        let audit = audit_log::Entity::find()
            .count(&hub.db)
            .await
            .expect("count");
        assert!(audit > 0);
    }
}

#[tokio::test]
async fn event_updates_stream_a_committed_schedule() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;
    let hub = TestHub::start(Backend::Sqlite, true).await.expect("hub");
    let s = setup(&hub, 2).await;
    let mut req = format!("{}/graphql/ws", hub.url.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("connect");
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(json!({"type": "connection_init", "payload": {}})))
        .await
        .expect("init");
    ws.send(send(json!({"id": "1", "type": "subscribe", "payload": {
        "query": "subscription($e: ID!){ eventUpdates(eventId:$e){ eventId kind scheduleVersion } }",
        "variables": {"e": s.event}}})))
        .await
        .expect("subscribe");
    let fire = tokio::spawn({
        let url = hub.url.clone();
        let token = s.organiser.clone();
        let event = s.event.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            reqwest::Client::new()
                .post(format!("{url}/graphql"))
                .bearer_auth(token)
                .json(&json!({"query": SCHEDULE, "variables": {"e": event}}))
                .send()
                .await
                .expect("schedule")
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut got = None;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout(deadline - Instant::now(), ws.next()).await {
        let Message::Text(text) = msg else { continue };
        let v: Value = serde_json::from_str(&text).expect("json");
        if v["type"] == "next" {
            let u = v["payload"]["data"]["eventUpdates"].clone();
            if u["kind"] == "SCHEDULED" {
                got = Some(u);
                break;
            }
        }
    }
    fire.await.expect("mutation");
    let u = got.expect("a SCHEDULED update");
    assert_eq!(u["eventId"], s.event.as_str());
    assert_eq!(u["scheduleVersion"], 1);
}

#[tokio::test]
async fn hosts_meet_at_their_booths_and_unanswered_requests_expire() {
    use sea_orm::{ActiveModelTrait, Set};
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let organiser = hub.token("hhht-tm", Role::Organiser).await;
        let mut input = event_input(2);
        input["fixedBooths"] = json!(true);
        let r = hub
            .gql(CREATE, json!({"input": input}), Some(&organiser))
            .await;
        let event = ok(&r, "createEvent")["event"]["id"]
            .as_str()
            .expect("id")
            .to_string();
        let mut tok = std::collections::BTreeMap::new();
        for org in ["imau", "imut", "naas", "cyx-dairy", "ys-oats"] {
            tok.insert(org, hub.token(org, Role::Member).await);
        }
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"host": true}}),
                Some(&tok["imau"]),
            )
            .await;
        let imau = ok(&r, "registerForEvent")["participant"].clone();
        assert_eq!(imau["booth"], 1, "{r}");
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"host": true}}),
                Some(&tok["imut"]),
            )
            .await;
        assert_eq!(ok(&r, "registerForEvent")["participant"]["booth"], 2);
        let r = hub
            .gql(
                REGISTER,
                json!({"e": event, "input": {"host": true}}),
                Some(&tok["naas"]),
            )
            .await;
        assert_eq!(
            error_code(&r),
            Some("CONFLICT"),
            "two tables, two booths: {r}"
        );
        let imau = imau["id"].as_str().expect("id").to_string();
        let dairy = register(&hub, &tok["cyx-dairy"], &event, json!({})).await;
        let oats = register(&hub, &tok["ys-oats"], &event, json!({})).await;
        let m1 = request(&hub, &tok["cyx-dairy"], &event, &imau, 5).await;
        let m2 = request(&hub, &tok["ys-oats"], &event, &imau, 4).await;
        ok(
            &respond(&hub, &tok["imau"], &m1, "ACCEPT").await,
            "respondToMeeting",
        );
        // m2 goes unanswered past its expiry.
        let (_, row) = transferhub_server::relay::decode_any(&m2).expect("meeting id");
        let stored = event_meeting::Entity::find_by_id(row)
            .one(&hub.db)
            .await
            .expect("query")
            .expect("row");
        let mut a: event_meeting::ActiveModel = stored.into();
        a.expires_at = Set(Some(chrono::Utc::now() - chrono::Duration::hours(1)));
        a.update(&hub.db).await.expect("backdate");
        let r = respond(&hub, &tok["imau"], &m2, "ACCEPT").await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "expired: {r}");
        let r = hub
            .gql(
                r#"query($e: ID!){ event(id:$e){ meetings{ edges{ node{ id status } } } } }"#,
                json!({"e": event}),
                Some(&organiser),
            )
            .await;
        let edges = ok(&r, "event")["meetings"]["edges"]
            .as_array()
            .expect("edges")
            .clone();
        let m2_status = edges
            .iter()
            .find(|e| e["node"]["id"] == m2.as_str())
            .map(|e| e["node"]["status"].clone());
        assert_eq!(m2_status, Some(json!("EXPIRED")), "{r}");
        let _ = oats;
        let r = hub
            .gql(SCHEDULE, json!({"e": event}), Some(&organiser))
            .await;
        assert_eq!(ok(&r, "scheduleEvent")["placed"], 1, "{r}");
        let r = hub
            .gql(
                AGENDA,
                json!({"e": event, "p": dairy}),
                Some(&tok["cyx-dairy"]),
            )
            .await;
        let agenda = ok(&r, "event")["agenda"]
            .as_array()
            .expect("agenda")
            .clone();
        assert_eq!(agenda.len(), 1);
        assert_eq!(agenda[0]["table"], 1, "at imau's booth: {r}");
    }
}

/// A person with a browser session acting for `org` with `role`: (user id, cookie secret, CSRF).
async fn person(
    hub: &TestHub,
    email: &str,
    name: &str,
    org: &str,
    role: Role,
) -> (i64, String, String) {
    use sea_orm::{ActiveModelTrait, Set};
    use transferhub_schema::entity::{membership, organisation, user};
    let org = organisation::Entity::find()
        .filter(organisation::Column::Key.eq(org))
        .one(&hub.db)
        .await
        .expect("org")
        .expect("demo org");
    let u = user::ActiveModel {
        email: Set(Some(email.to_string())),
        display_name: Set(name.to_string()),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&hub.db)
    .await
    .expect("insert user");
    membership::ActiveModel {
        user_id: Set(u.id),
        organisation_id: Set(org.id),
        role: Set(role),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&hub.db)
    .await
    .expect("membership");
    let (secret, row) = transferhub_server::auth::session::open(
        &hub.db,
        u.id,
        Some((org.id, role)),
        "test",
        3600,
        None,
    )
    .await
    .expect("session");
    (u.id, secret, row.csrf_token)
}

/// A GraphQL request with a person's browser session (cookie and CSRF header).
async fn gql_as(
    hub: &TestHub,
    who: &(i64, String, String),
    query: &str,
    variables: Value,
) -> Value {
    hub.http()
        .post(format!("{}/graphql", hub.url))
        .header("cookie", format!("thub_session={}", who.1))
        .header("x-csrf-token", &who.2)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json")
}

const REGISTER_PERSON: &str = r#"mutation($e: ID!, $input: RegisterForEventInput!){ registerForEvent(eventId:$e, input:$input){ participant{ id maxMeetings maxMeetingsPerSession personName person{ id displayName } organisation{ key } } } }"#;

#[tokio::test]
async fn people_of_one_organisation_register_separately_and_their_caps_hold() {
    for backend in backends().await {
        let hub = TestHub::start(backend, true).await.expect("hub");
        let organiser = hub.token("hhht-tm", Role::Organiser).await;
        let ev = create_event(&hub, &organiser, 10).await;
        let event = ev["id"].as_str().expect("id").to_string();
        let zhang = person(&hub, "zhang@imau.edu.cn", "张老师", "imau", Role::Member).await;
        let li = person(&hub, "li@imau.edu.cn", "李老师", "imau", Role::Member).await;
        let admin = person(&hub, "kjc@imau.edu.cn", "科技处", "imau", Role::OrgAdmin).await;
        let _outsider = person(&hub, "wang@imut.edu.cn", "王老师", "imut", Role::Member).await;

        // A person registers as themselves by default, with their own cap.
        let r = gql_as(
            &hub,
            &zhang,
            REGISTER_PERSON,
            json!({"e": event, "input": {"maxMeetings": 2}}),
        )
        .await;
        let p = &ok(&r, "registerForEvent")["participant"];
        assert_eq!(p["person"]["displayName"], "张老师", "{r}");
        assert_eq!(p["personName"], "张老师");
        assert_eq!(p["maxMeetings"], 2);
        assert_eq!(p["organisation"]["key"], "imau");
        let zhang_p = p["id"].as_str().expect("id").to_string();
        // The same person again: CONFLICT.
        let r = gql_as(
            &hub,
            &zhang,
            REGISTER_PERSON,
            json!({"e": event, "input": {"maxMeetings": 3}}),
        )
        .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        // A member cannot register a colleague; the org admin can, by e-mail.
        let li_gid = transferhub_server::relay::encode_id("Person", li.0);
        let r = gql_as(
            &hub,
            &zhang,
            REGISTER_PERSON,
            json!({"e": event, "input": {"personId": li_gid}}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        // Caps are checked and name their field.
        for (field, input) in [
            (
                "input.maxMeetings",
                json!({"personEmail": "li@imau.edu.cn", "maxMeetings": 0}),
            ),
            (
                "input.maxMeetingsPerSession",
                json!({"personEmail": "li@imau.edu.cn", "maxMeetingsPerSession": 1000}),
            ),
        ] {
            let r = gql_as(
                &hub,
                &admin,
                REGISTER_PERSON,
                json!({"e": event, "input": input}),
            )
            .await;
            assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], field, "{r}");
        }
        // Another organisation's person is not a member here.
        let r = gql_as(
            &hub,
            &admin,
            REGISTER_PERSON,
            json!({"e": event, "input": {"personEmail": "wang@imut.edu.cn"}}),
        )
        .await;
        assert_eq!(error_code(&r), Some("BAD_INPUT"), "{r}");
        assert_eq!(
            r["errors"][0]["extensions"]["field"], "input.personEmail",
            "{r}"
        );
        let r = gql_as(&hub, &admin, REGISTER_PERSON, json!({"e": event, "input": {"personEmail": "LI@imau.edu.cn", "maxMeetings": 3, "maxMeetingsPerSession": 1}})).await;
        let p = &ok(&r, "registerForEvent")["participant"];
        assert_eq!(p["person"]["displayName"], "李老师", "{r}");
        assert_eq!(p["maxMeetingsPerSession"], 1);
        let li_p = p["id"].as_str().expect("id").to_string();
        // The organisation as a whole still registers once beside its people.
        let imau_tok = hub.token("imau", Role::Member).await;
        let r = hub
            .gql(
                REGISTER_PERSON,
                json!({"e": event, "input": {}}),
                Some(&imau_tok),
            )
            .await;
        assert!(
            ok(&r, "registerForEvent")["participant"]["person"].is_null(),
            "{r}"
        );
        let r = hub
            .gql(
                REGISTER_PERSON,
                json!({"e": event, "input": {}}),
                Some(&imau_tok),
            )
            .await;
        assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
        // …and the store refuses a second organisation-level row too (the partial unique index).
        {
            use sea_orm::{ActiveModelTrait, Set};
            let first = event_participant::Entity::find()
                .filter(event_participant::Column::UserId.is_null())
                .one(&hub.db)
                .await
                .expect("query")
                .expect("org-level row");
            let dup = event_participant::ActiveModel {
                event_id: Set(first.event_id),
                organisation_id: Set(first.organisation_id),
                user_id: Set(None),
                offers: Set("[]".into()),
                seeks: Set("[]".into()),
                availability: Set("[]".into()),
                host: Set(false),
                created_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&hub.db)
            .await;
            assert!(
                dup.is_err(),
                "second organisation-level registration stored"
            );
        }

        // Five firms each ask both people for a meeting, at the highest priority.
        let mut to_zhang = Vec::new();
        let mut to_li = Vec::new();
        for firm in ["cyx-dairy", "ys-oats", "mk-pharma", "jq-pv", "sy-vet"] {
            let t = hub.token(firm, Role::Member).await;
            register(&hub, &t, &event, json!({})).await;
            to_zhang.push(request(&hub, &t, &event, &zhang_p, 5).await);
            to_li.push(request(&hub, &t, &event, &li_p, 5).await);
        }
        // A colleague cannot answer for Zhang; Zhang and Li answer their own.
        let r = gql_as(
            &hub,
            &li,
            RESPOND,
            json!({"id": to_zhang[0], "r": "ACCEPT"}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        let r = respond(&hub, &imau_tok, &to_zhang[0], "ACCEPT").await;
        assert_eq!(
            error_code(&r),
            Some("FORBIDDEN"),
            "organisation token on a person's row: {r}"
        );
        for m in &to_zhang {
            let r = gql_as(&hub, &zhang, RESPOND, json!({"id": m, "r": "ACCEPT"})).await;
            assert_eq!(ok(&r, "respondToMeeting")["meeting"]["status"], "ACCEPTED");
        }
        for m in &to_li {
            let r = gql_as(&hub, &li, RESPOND, json!({"id": m, "r": "ACCEPT"})).await;
            assert_eq!(ok(&r, "respondToMeeting")["meeting"]["status"], "ACCEPTED");
        }
        // Neither can request on the other's behalf.
        let r = gql_as(
            &hub,
            &zhang,
            REQUEST,
            json!({"input": {"eventId": event, "from": li_p, "to": zhang_p}}),
        )
        .await;
        assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

        let r = hub
            .gql(SCHEDULE, json!({"e": event}), Some(&organiser))
            .await;
        let s = ok(&r, "scheduleEvent");
        // Zhang takes two meetings overall; Li one per session (two sessions), under their 3.
        assert_eq!(s["placed"], 4, "{r}");
        let reasons: Vec<&str> = s["unplaced"]
            .as_array()
            .expect("unplaced")
            .iter()
            .filter_map(|u| u["reason"].as_str())
            .collect();
        assert_eq!(reasons, vec!["PARTICIPANT_CAP"; 6], "{r}");
        for (user, cap, per_session) in [(zhang.0, 2, None), (li.0, 3, Some(1))] {
            let p = event_participant::Entity::find()
                .filter(event_participant::Column::UserId.eq(user))
                .one(&hub.db)
                .await
                .expect("query")
                .expect("row");
            let placed = event_meeting::Entity::find()
                .filter(event_meeting::Column::SlotIndex.is_not_null())
                .all(&hub.db)
                .await
                .expect("meetings")
                .into_iter()
                .filter(|m| m.requester_id == p.id || m.invitee_id == p.id)
                .collect::<Vec<_>>();
            assert!(placed.len() <= cap, "{user}: {} > {cap}", placed.len());
            if let Some(c) = per_session {
                // Morning session ends at 03:00 UTC, the afternoon starts at 06:00.
                let morning = placed
                    .iter()
                    .filter(|m| m.starts_at.is_some_and(|t| chrono::Timelike::hour(&t) < 5))
                    .count();
                assert!(
                    morning <= c && placed.len() - morning <= c,
                    "{user}: {morning} / {}",
                    placed.len()
                );
            }
        }
    }
}
