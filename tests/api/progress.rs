//! Delivery over HTTP, moving the server's clock across cycle windows:
//! reporting cycles, progress reports and every refusal, validation by
//! leads, completion to read-only, reporting health, and the trail.

use gef_commitments::domain::account::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Accepted, Caller, Stage, TestApp, assert_problem, completed_report, spawn_app,
};

fn path(commitment: &Value) -> String {
    format!("/api/v1/commitments/{}", commitment["id"].as_str().unwrap())
}

fn report(status: &str, percent: i32) -> Value {
    json!({
        "status": status,
        "percent_complete": percent,
        "disbursed": {"amount": "50000.00", "currency": "EUR", "amount_usd": "54000.00"},
        "people_reached": 1200,
        "narrative": "Forty clubs ran this year.",
        "indicators": [{"name": "Girls trained", "actual": 1200}]
    })
}

/// The request, sent when awaited; it borrows nothing.
fn send(
    app: &TestApp,
    method: Method,
    url: &str,
    caller: Option<&Caller>,
    if_match: Option<&str>,
    body: Option<Value>,
) -> impl std::future::Future<Output = reqwest::Response> + use<> {
    let mut request = app.request(method, url, caller);
    if let Some(etag) = if_match {
        request = request.header("If-Match", etag);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    async move { request.send().await.unwrap() }
}

/// The answer's body and its resource's own tag (the version).
async fn ok(response: reqwest::Response, status: u16) -> (Value, String) {
    let got = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| crate::helpers::own_tag(v.to_str().unwrap()))
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(got, status, "{body}");
    (body, etag)
}

/// An admin, signed in, and the cycles of 2022, 2023 and 2024, each open
/// from mid-January to the end of March of the next year.
async fn three_cycles(app: &TestApp) -> Caller {
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    for year in 2022..=2024 {
        let body = json!({"year": year, "opens_on": format!("{}-01-15", year + 1),
                          "closes_on": format!("{}-03-31", year + 1)});
        let (cycle, _) = ok(
            send(
                app,
                Method::POST,
                "/api/v1/reporting-cycles",
                Some(&admin),
                None,
                Some(body),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(cycle["year"], year);
    }
    admin
}

#[actix_web::test]
async fn admins_open_reporting_cycles_and_anyone_reads_them() {
    let app = spawn_app().await;
    app.clock.set("2025-02-01");
    let cycles = "/api/v1/reporting-cycles";
    let admin = three_cycles(&app).await;
    let (_, maker) = app
        .register("Digital Sisters", "maker@ds.example.org")
        .await;
    let body = |year: i32, opens: &str, closes: &str| {
        Some(json!({"year": year, "opens_on": opens, "closes_on": closes}))
    };
    // Who may: admins only.
    assert_problem(
        send(
            &app,
            Method::POST,
            cycles,
            None,
            None,
            body(2025, "2026-01-15", "2026-03-31"),
        )
        .await,
        401,
        "unauthorized",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::POST,
            cycles,
            Some(&maker),
            None,
            body(2025, "2026-01-15", "2026-03-31"),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    // One cycle a year; years inside some coalition's period; windows that make sense.
    assert_problem(
        send(
            &app,
            Method::POST,
            cycles,
            Some(&admin),
            None,
            body(2023, "2024-02-01", "2024-04-30"),
        )
        .await,
        409,
        "cycle_exists",
    )
    .await;
    for (year, opens, closes, field, code) in [
        (
            2030,
            "2031-01-15",
            "2031-03-31",
            "year",
            "outside_every_period",
        ),
        (
            2019,
            "2020-01-15",
            "2020-03-31",
            "year",
            "outside_every_period",
        ),
        (2025, "2026-03-31", "2026-01-15", "closes_on", "before_open"),
        (2025, "2024-12-01", "2026-01-15", "opens_on", "before_year"),
    ] {
        let problem = assert_problem(
            send(
                &app,
                Method::POST,
                cycles,
                Some(&admin),
                None,
                body(year, opens, closes),
            )
            .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            (
                problem["errors"][0]["field"].as_str(),
                problem["errors"][0]["code"].as_str()
            ),
            (Some(field), Some(code)),
            "{problem}"
        );
    }
    // Anyone reads them, with whether each is open today.
    let (list, _) = ok(send(&app, Method::GET, cycles, None, None, None).await, 200).await;
    let open: Vec<(i64, bool)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["year"].as_i64().unwrap(), c["open"].as_bool().unwrap()))
        .collect();
    assert_eq!(open, [(2022, false), (2023, false), (2024, true)]);
    // Extended or closed early, with If-Match.
    let one = format!("{cycles}/2024");
    let (cycle, etag) = ok(send(&app, Method::GET, &one, None, None, None).await, 200).await;
    assert_eq!(
        (cycle["closes_on"].as_str(), etag.as_str()),
        (Some("2025-03-31"), "\"1\"")
    );
    let extend = Some(json!({"closes_on": "2025-04-30"}));
    assert_problem(
        send(
            &app,
            Method::PATCH,
            &one,
            Some(&maker),
            None,
            extend.clone(),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::PATCH,
            &one,
            Some(&admin),
            None,
            extend.clone(),
        )
        .await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::PATCH,
            &one,
            Some(&admin),
            Some("\"7\""),
            extend.clone(),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::PATCH,
            &one,
            Some(&admin),
            Some("\"1\""),
            Some(json!({"closes_on": "2025-01-01"})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let (cycle, etag) = ok(
        send(
            &app,
            Method::PATCH,
            &one,
            Some(&admin),
            Some("\"1\""),
            extend,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (cycle["closes_on"].as_str(), etag.as_str()),
        (Some("2025-04-30"), "\"2\"")
    );
    assert_problem(
        send(
            &app,
            Method::GET,
            &format!("{cycles}/2031"),
            None,
            None,
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.count("reporting_cycles").await, 3);
}

#[actix_web::test]
async fn a_maker_reports_while_the_cycle_is_open_and_every_refusal_stores_nothing() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let other = app
        .accepted("Other Org", "technology-innovation", Some(&ti.lead))
        .await;
    let cj_lead = app
        .signed_in(
            "lead@cj.example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let approved = app
        .commitment_in(&ti, Stage::Approved, "Coding clubs")
        .await;
    let submitted = app
        .commitment_in(&ti, Stage::Submitted, "Not yet approved")
        .await;
    let draft = app.commitment_in(&ti, Stage::Draft, "A draft").await;
    three_cycles(&app).await;
    let url = |c: &Value, year: i32| format!("{}/progress/{year}", path(c));
    let put = |caller: Option<&Caller>, url: String, if_match: Option<&str>, body: Value| {
        send(&app, Method::PUT, &url, caller, if_match, Some(body))
    };

    app.clock.set("2023-02-01");
    // Who may: its organization's makers.
    assert_problem(
        put(None, url(&approved, 2022), None, report("in_progress", 10)).await,
        401,
        "unauthorized",
    )
    .await;
    for caller in [&other.maker, &ti.lead, &cj_lead, &viewer] {
        assert_problem(
            put(
                Some(caller),
                url(&approved, 2022),
                None,
                report("in_progress", 10),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
    }
    assert_problem(
        put(
            Some(&other.maker),
            url(&draft, 2022),
            None,
            report("in_progress", 10),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // What the commitment and the cycles allow.
    for (commitment, year, code) in [
        (&submitted, 2022, "not_reporting"),
        (&approved, 2021, "year_not_covered"),
        (&approved, 2026, "year_not_covered"),
        (&approved, 2025, "no_reporting_cycle"),
        (&approved, 2023, "reporting_cycle_closed"),
    ] {
        let problem = assert_problem(
            put(
                Some(&ti.maker),
                url(commitment, year),
                None,
                report("in_progress", 10),
            )
            .await,
            409,
            code,
        )
        .await;
        if code == "reporting_cycle_closed" {
            let detail = problem["detail"].as_str().unwrap();
            assert!(
                detail.contains("2024-01-15") && detail.contains("2024-03-31"),
                "{detail}"
            );
        }
    }
    // Every broken field at once.
    let problem = assert_problem(
        put(
            Some(&ti.maker),
            url(&approved, 2022),
            None,
            json!({"status": "finished", "percent_complete": 101, "narrative": "",
                   "disbursed": {"amount": "-1", "currency": "EUR"},
                   "people_reached": -5, "indicators": [{"name": "Unknown", "actual": 1}]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "status",
            "percent_complete",
            "disbursed.amount",
            "disbursed.amount_usd",
            "people_reached",
            "narrative",
            "indicators[0].name"
        ]
    );
    assert_eq!(app.count("progress_reports").await, 0);

    // Filed: 201, Location, ETag; readable by anyone, as the commitment is public.
    let response = put(
        Some(&ti.maker),
        url(&approved, 2022),
        None,
        report("in_progress", 20),
    )
    .await;
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        url(&approved, 2022)
    );
    let (filed, etag) = ok(response, 201).await;
    assert_eq!(
        (filed["year"].as_i64(), filed["percent_complete"].as_i64()),
        (Some(2022), Some(20))
    );
    assert_eq!(
        filed["disbursed"],
        json!({"amount": "50000.00", "currency": "EUR", "amount_usd": "54000.00"})
    );
    assert_eq!(
        filed["indicators"],
        json!([{"name": "Girls trained", "actual": 1200.0}])
    );
    assert_eq!(
        (filed["validation"]["status"].as_str(), etag.as_str()),
        (Some("pending"), "\"1\"")
    );
    let (public, etag) = ok(
        send(&app, Method::GET, &url(&approved, 2022), None, None, None).await,
        200,
    )
    .await;
    assert_eq!(
        (public["id"].clone(), etag.as_str()),
        (filed["id"].clone(), "\"1\"")
    );
    // Replaced with If-Match only.
    assert_problem(
        put(
            Some(&ti.maker),
            url(&approved, 2022),
            None,
            report("stalled", 20),
        )
        .await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        put(
            Some(&ti.maker),
            url(&approved, 2022),
            Some("\"9\""),
            report("stalled", 20),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;
    let (replaced, etag) = ok(
        put(
            Some(&ti.maker),
            url(&approved, 2022),
            Some("\"1\""),
            report("stalled", 25),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (replaced["status"].as_str(), etag.as_str()),
        (Some("stalled"), "\"2\"")
    );
    // If-Match names a report that is not there yet.
    app.clock.set("2024-02-01");
    assert_problem(
        put(
            Some(&ti.maker),
            url(&approved, 2023),
            Some("\"1\""),
            report("in_progress", 40),
        )
        .await,
        412,
        "precondition_failed",
    )
    .await;
    ok(
        put(
            Some(&ti.maker),
            url(&approved, 2023),
            None,
            report("in_progress", 40),
        )
        .await,
        201,
    )
    .await;
    // The 2022 cycle has closed: its report stays as it was.
    assert_problem(
        put(
            Some(&ti.maker),
            url(&approved, 2022),
            Some("\"2\""),
            report("in_progress", 30),
        )
        .await,
        409,
        "reporting_cycle_closed",
    )
    .await;
    let (list, _) = ok(
        send(
            &app,
            Method::GET,
            &format!("{}/progress", path(&approved)),
            None,
            None,
            None,
        )
        .await,
        200,
    )
    .await;
    let years: Vec<(i64, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["year"].as_i64().unwrap(),
                r["percent_complete"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(years, [(2022, 25), (2023, 40)]);
    assert_problem(
        send(
            &app,
            Method::GET,
            &format!("{}/progress", path(&draft)),
            None,
            None,
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        send(&app, Method::GET, &url(&approved, 2024), None, None, None).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(app.count("progress_reports").await, 2);
}

/// A commitment approved in `ti` with its 2022 report filed; the report's URL.
async fn reported(app: &TestApp, ti: &Accepted) -> (Value, String) {
    let approved = app.commitment_in(ti, Stage::Approved, "Coding clubs").await;
    let url = format!("{}/progress/2022", path(&approved));
    app.clock.set("2023-02-01");
    ok(
        send(
            app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            None,
            Some(report("in_progress", 20)),
        )
        .await,
        201,
    )
    .await;
    (approved, url)
}

#[actix_web::test]
async fn leads_of_its_coalition_validate_or_query_a_report() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    let cj_lead = app
        .signed_in(
            "lead@cj.example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    three_cycles(&app).await;
    let (approved, url) = reported(&app, &ti).await;
    let validation = format!("{url}/validation");
    let query = Some(json!({"decision": "query", "note": "How many of them are girls?"}));
    let post = |caller: Option<&Caller>, if_match: Option<&str>, body: Option<Value>| {
        send(&app, Method::POST, &validation, caller, if_match, body)
    };
    assert_problem(
        post(None, Some("\"1\""), query.clone()).await,
        401,
        "unauthorized",
    )
    .await;
    for caller in [&ti.maker, &cj_lead, &viewer] {
        assert_problem(
            post(Some(caller), Some("\"1\""), query.clone()).await,
            403,
            "forbidden",
        )
        .await;
    }
    assert_problem(
        post(Some(&ti.lead), None, query.clone()).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        post(Some(&ti.lead), Some("\"5\""), query.clone()).await,
        412,
        "precondition_failed",
    )
    .await;
    let problem = assert_problem(
        post(
            Some(&ti.lead),
            Some("\"1\""),
            Some(json!({"decision": "query", "note": " "})),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "note");
    assert_problem(
        send(
            &app,
            Method::POST,
            &format!("{}/progress/2023/validation", path(&approved)),
            Some(&ti.lead),
            Some("\"1\""),
            query.clone(),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let (queried, etag) = ok(
        post(Some(&ti.lead), Some("\"1\""), query.clone()).await,
        200,
    )
    .await;
    assert_eq!(
        (queried["validation"]["status"].as_str(), etag.as_str()),
        (Some("queried"), "\"2\"")
    );
    // The maker reads the question; the public reads the state only.
    let (mine, _) = ok(
        send(&app, Method::GET, &url, Some(&ti.maker), None, None).await,
        200,
    )
    .await;
    assert_eq!(mine["validation"]["note"], "How many of them are girls?");
    assert_eq!(mine["validation"]["validated_by"], ti.lead.id);
    let (public, _) = ok(send(&app, Method::GET, &url, None, None, None).await, 200).await;
    assert_eq!(public["validation"]["status"], "queried");
    assert!(
        public["validation"]["note"].is_null() && public["validation"]["validated_by"].is_null()
    );
    // Corrected, it is pending again; validated, it is settled.
    let (corrected, _) = ok(
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            Some("\"2\""),
            Some(report("in_progress", 22)),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(corrected["validation"]["status"], "pending");
    let (validated, _) = ok(
        post(
            Some(&ti.lead),
            Some("\"3\""),
            Some(json!({"decision": "validate"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(validated["validation"]["status"], "validated");
    assert_problem(
        post(Some(&ti.lead), Some("\"4\""), query).await,
        409,
        "invalid_transition",
    )
    .await;

    // Each step is on the commitment's trail, in order.
    let (trail, _) = ok(
        send(
            &app,
            Method::GET,
            &format!("{}/events", path(&approved)),
            Some(&ti.lead),
            None,
            None,
        )
        .await,
        200,
    )
    .await;
    let steps: Vec<(&str, &str)> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("commitment", "create"),
            ("commitment", "submit"),
            ("commitment", "approve"),
            ("progress_report", "file_report"),
            ("progress_report", "query_report"),
            ("progress_report", "replace_report"),
            ("progress_report", "validate_report"),
        ]
    );
    let query_event = &trail["items"][4];
    assert_eq!(
        (
            query_event["from_status"].as_str(),
            query_event["to_status"].as_str()
        ),
        (Some("pending"), Some("queried"))
    );
    assert_eq!(query_event["reason"], "How many of them are girls?");
    assert_eq!(query_event["subject_id"], validated["id"]);
}

#[actix_web::test]
async fn a_completed_report_claims_completion_and_verification_makes_all_read_only() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    three_cycles(&app).await;
    let (approved, url) = reported(&app, &ti).await;
    let commitment = path(&approved);
    let read = || send(&app, Method::GET, &commitment, Some(&ti.maker), None, None);
    // Completed means 100 percent.
    assert_problem(
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            Some("\"1\""),
            Some(report("completed", 90)),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    ok(
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            Some("\"1\""),
            Some(completed_report()),
        )
        .await,
        200,
    )
    .await;
    let (claimed, etag) = ok(read().await, 200).await;
    assert_eq!(claimed["status"], "completion_claimed");
    // Claimed, it takes no more reports until the lead decides.
    assert_problem(
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            Some("\"2\""),
            Some(report("in_progress", 90)),
        )
        .await,
        409,
        "not_reporting",
    )
    .await;
    // The lead sends it back, with the reason on record...
    let reviews = format!("{commitment}/reviews");
    let back = Some(
        json!({"decision": "request_changes", "comment": "The final cohort has not graduated yet."}),
    );
    let (reopened, _) = ok(
        send(
            &app,
            Method::POST,
            &reviews,
            Some(&ti.lead),
            Some(&etag),
            back,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(reopened["status"], "approved");
    let (history, _) = ok(
        send(&app, Method::GET, &reviews, Some(&ti.maker), None, None).await,
        200,
    )
    .await;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["decision"].as_str(),
            last["from_status"].as_str(),
            last["to_status"].as_str()
        ),
        (
            Some("request_changes"),
            Some("completion_claimed"),
            Some("approved")
        )
    );
    assert_eq!(last["comment"], "The final cohort has not graduated yet.");
    // ...the maker claims again, and the lead verifies.
    let (_, report_etag) = ok(send(&app, Method::GET, &url, None, None, None).await, 200).await;
    ok(
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            Some(&report_etag),
            Some(completed_report()),
        )
        .await,
        200,
    )
    .await;
    let (claimed, etag) = ok(read().await, 200).await;
    assert_eq!(claimed["status"], "completion_claimed");
    let verify = Some(json!({"decision": "verify_completion"}));
    let (done, etag) = ok(
        send(
            &app,
            Method::POST,
            &reviews,
            Some(&ti.lead),
            Some(&etag),
            verify,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (done["status"].as_str(), done["reporting_health"].as_str()),
        (Some("completed"), Some("green"))
    );
    // Completed: the commitment and its reports are read-only.
    let (_, report_etag) = ok(send(&app, Method::GET, &url, None, None, None).await, 200).await;
    assert_problem(
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            Some(&report_etag),
            Some(completed_report()),
        )
        .await,
        409,
        "read_only",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::POST,
            &format!("{url}/validation"),
            Some(&ti.lead),
            Some(&report_etag),
            Some(json!({"decision": "validate"})),
        )
        .await,
        409,
        "read_only",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::PATCH,
            &commitment,
            Some(&ti.maker),
            Some(&etag),
            Some(json!({"title": "Changed"})),
        )
        .await,
        409,
        "not_editable",
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::POST,
            &format!("{commitment}/withdraw"),
            Some(&ti.maker),
            Some(&etag),
            Some(json!({"reason": "x"})),
        )
        .await,
        409,
        "invalid_transition",
    )
    .await;
    let (trail, _) = ok(
        send(
            &app,
            Method::GET,
            &format!("{commitment}/events"),
            Some(&ti.maker),
            None,
            None,
        )
        .await,
        200,
    )
    .await;
    let claims = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "claim_completion")
        .count();
    assert_eq!(claims, 2);
}

/// Each commitment's reporting health on `day`, checking that the list
/// filter finds exactly those of each colour.
async fn health(app: &TestApp, commitments: &[Value], maker: &Caller, day: &str) -> Vec<String> {
    app.clock.set(day);
    let mut colours = Vec::new();
    for c in commitments {
        let (body, _) = ok(
            send(app, Method::GET, &path(c), None, None, None).await,
            200,
        )
        .await;
        colours.push(body["reporting_health"].as_str().unwrap().to_owned());
    }
    for colour in ["green", "amber", "red"] {
        let url = format!("/api/v1/commitments?reporting_health={colour}&limit=200");
        let (list, _) = ok(
            send(app, Method::GET, &url, Some(maker), None, None).await,
            200,
        )
        .await;
        let mut listed: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap())
            .collect();
        listed.sort_unstable();
        let mut expected: Vec<&str> = commitments
            .iter()
            .zip(&colours)
            .filter(|(_, h)| *h == colour)
            .map(|(c, _)| c["title"].as_str().unwrap())
            .collect();
        expected.sort_unstable();
        assert_eq!(listed, expected, "{colour} on {day}");
    }
    colours
}

#[actix_web::test]
async fn reporting_health_counts_the_cycles_missed_and_lists_filter_on_it() {
    let app = spawn_app().await;
    let ti = app
        .accepted("Digital Sisters", "technology-innovation", None)
        .await;
    three_cycles(&app).await;
    // Three approved commitments over 2022-2025; a fourth starts in 2024.
    let mut commitments = Vec::new();
    for title in ["Reports every year", "Reported once", "Never reported"] {
        commitments.push(app.commitment_in(&ti, Stage::Approved, title).await);
    }
    let mut late = crate::helpers::commitment_body("Starts later");
    late["start_year"] = json!(2024);
    let late = app.create_commitment(&ti.maker, &late).await;
    let late_path = path(&late);
    let sent = ok(
        send(
            &app,
            Method::POST,
            &format!("{late_path}/submit"),
            Some(&ti.maker),
            Some("\"1\""),
            Some(json!({})),
        )
        .await,
        200,
    )
    .await
    .0;
    ok(
        send(
            &app,
            Method::POST,
            &format!("{late_path}/reviews"),
            Some(&ti.lead),
            Some(&format!("\"{}\"", sent["version"])),
            Some(json!({"decision": "approve"})),
        )
        .await,
        200,
    )
    .await;
    commitments.push(late);
    let draft = app.commitment_in(&ti, Stage::Draft, "A draft").await;

    let file = |c: &Value, year: i32| {
        let url = format!("{}/progress/{year}", path(c));
        send(
            &app,
            Method::PUT,
            &url,
            Some(&ti.maker),
            None,
            Some(report("in_progress", 30)),
        )
    };
    assert_eq!(
        health(&app, &commitments, &ti.maker, "2022-06-01").await,
        ["green"; 4],
        "nothing due yet"
    );
    app.clock.set("2023-02-01");
    ok(file(&commitments[0], 2022).await, 201).await;
    ok(file(&commitments[1], 2022).await, 201).await;
    assert_eq!(
        health(&app, &commitments, &ti.maker, "2023-02-01").await,
        ["green"; 4],
        "an open cycle is not missed yet"
    );
    assert_eq!(
        health(&app, &commitments, &ti.maker, "2023-04-01").await,
        ["green", "green", "amber", "green"]
    );
    app.clock.set("2024-02-01");
    ok(file(&commitments[0], 2023).await, 201).await;
    assert_eq!(
        health(&app, &commitments, &ti.maker, "2024-04-01").await,
        ["green", "amber", "red", "green"]
    );
    app.clock.set("2025-02-01");
    ok(file(&commitments[0], 2024).await, 201).await;
    ok(file(&commitments[3], 2024).await, 201).await;
    assert_eq!(
        health(&app, &commitments, &ti.maker, "2025-04-01").await,
        ["green", "red", "red", "green"]
    );
    // Reporting on the latest cycle makes it green again.
    app.clock.set("2025-02-01");
    ok(file(&commitments[1], 2024).await, 201).await;
    assert_eq!(
        health(&app, &commitments, &ti.maker, "2025-04-01").await,
        ["green", "green", "red", "green"]
    );
    // Commitments not approved have no health.
    let (body, _) = ok(
        send(
            &app,
            Method::GET,
            &path(&draft),
            Some(&ti.maker),
            None,
            None,
        )
        .await,
        200,
    )
    .await;
    assert!(body["reporting_health"].is_null());
    assert_problem(
        app.get("/api/v1/commitments?reporting_health=blue").await,
        400,
        "bad_request",
    )
    .await;
}
