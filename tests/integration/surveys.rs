//! Surveys (issue 16): who may create, answer and read the results (a non-member 403, a second
//! answer 409, a closed survey 422, answers that do not fit 400), results counted by hand, the
//! pages and the CSV, and an anonymous survey's tables read directly: the answers hold no
//! person, no response id and no time, their ids are random, SQLite stores them WITHOUT ROWID
//! and PostgreSQL holds them in id order, all stamped by one transaction.

use crate::helpers::{assert_error, TestApp};
use copse::db::schema::{survey_answers, survey_respondents};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// `chess` owned by `owner`, with members `ann` and `bob`; `eve` is not a member.
async fn scene(app: &TestApp) -> (String, String, String, String) {
    let owner = app.user("owner").await;
    let (status, body) = app.community(&owner, "chess", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut tokens = Vec::new();
    for name in ["ann", "bob"] {
        let token = app.user(name).await;
        let (status, body) = app
            .post("/api/v1/communities/chess/join", Some(&token), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        tokens.push(token);
    }
    let eve = app.user("eve").await;
    (owner, tokens.remove(0), tokens.remove(0), eve)
}

fn questions() -> Value {
    json!([
        {"kind": "single", "prompt": "Which day?", "required": true, "options": ["Mon", "Tue", "Wed"]},
        {"kind": "multiple", "prompt": "Which topics?", "options": ["Openings", "Endgames"]},
        {"kind": "scale", "prompt": "How useful?"},
        {"kind": "text", "prompt": "Anything else?"}
    ])
}

async fn create(app: &TestApp, token: &str, anonymous: bool) -> Value {
    let (status, survey) = app
        .post(
            "/api/v1/communities/chess/surveys",
            Some(token),
            json!({"title": "Club evening", "intro": "Help us plan", "anonymous": anonymous,
                   "questions": questions()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{survey}");
    survey
}

fn qid(survey: &Value, n: usize) -> i64 {
    survey["questions"][n]["id"].as_i64().expect("question id")
}

async fn answer(app: &TestApp, token: &str, survey: &Value, answers: Value) -> (StatusCode, Value) {
    let id = survey["id"].as_i64().expect("id");
    app.post(
        &format!("/api/v1/surveys/{id}/answers"),
        Some(token),
        json!({ "answers": answers }),
    )
    .await
}

fn full(survey: &Value, day: i64, topics: Value, scale: i64, text: &str) -> Value {
    json!([
        {"question": qid(survey, 0), "choices": [day]},
        {"question": qid(survey, 1), "choices": topics},
        {"question": qid(survey, 2), "scale": scale},
        {"question": qid(survey, 3), "text": text}
    ])
}

#[tokio::test]
async fn rights_refusals_and_counted_results() {
    let app = TestApp::spawn().await;
    let (owner, ann, bob, eve) = scene(&app).await;
    // Only moderators create.
    let (status, body) = app
        .post(
            "/api/v1/communities/chess/surveys",
            Some(&ann),
            json!({"title": "Mine", "questions": questions()}),
        )
        .await;
    assert_error(
        &(status, body),
        StatusCode::FORBIDDEN,
        "not_a_moderator",
        None,
    );
    let bad = app
        .post(
            "/api/v1/communities/chess/surveys",
            Some(&owner),
            json!({"title": "Bad", "questions": [{"kind": "single", "prompt": "One?", "options": ["a"]}]}),
        )
        .await;
    assert_eq!(bad.0, StatusCode::BAD_REQUEST, "{}", bad.1);
    let survey = create(&app, &owner, false).await;
    assert_eq!(survey["may_answer"], true, "{survey}");

    // A non-member may read it but not answer.
    let refused = answer(&app, &eve, &survey, full(&survey, 0, json!([]), 3, "")).await;
    assert_error(&refused, StatusCode::FORBIDDEN, "members_only", None);
    // Answers that do not fit: unknown option, scale 6, too long a text, the required one
    // missing, a question of another survey.
    for (answers, field) in [
        (
            full(&survey, 3, json!([]), 3, ""),
            format!("q{}", qid(&survey, 0)),
        ),
        (
            full(&survey, 0, json!([]), 6, ""),
            format!("q{}", qid(&survey, 2)),
        ),
        (
            full(&survey, 0, json!([]), 3, &"x".repeat(5001)),
            format!("q{}", qid(&survey, 3)),
        ),
        (
            json!([{"question": qid(&survey, 2), "scale": 2}]),
            format!("q{}", qid(&survey, 0)),
        ),
        (json!([{"question": 999_999, "scale": 2}]), "answers".into()),
    ] {
        let got = answer(&app, &ann, &survey, answers).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "invalid_field", Some(&field));
    }
    // Nothing half-written: ann may still answer.
    let ok = answer(
        &app,
        &ann,
        &survey,
        full(&survey, 1, json!([0, 1]), 4, "More blitz"),
    )
    .await;
    assert_eq!(ok.0, StatusCode::CREATED, "{}", ok.1);
    assert_eq!(
        (ok.1["answered"].clone(), ok.1["respondents"].clone()),
        (json!(true), json!(1))
    );
    let twice = answer(&app, &ann, &survey, full(&survey, 0, json!([]), 1, "")).await;
    assert_error(&twice, StatusCode::CONFLICT, "already_answered", None);
    let ok = answer(&app, &bob, &survey, full(&survey, 1, json!([1]), 2, "")).await;
    assert_eq!(ok.0, StatusCode::CREATED, "{}", ok.1);

    // Results: moderators only; counts by hand: day Tue 2; topics Openings 1, Endgames 2;
    // scale 2 and 4 once each; one text, named (not anonymous).
    let id = survey["id"].as_i64().expect("id");
    let path = format!("/api/v1/surveys/{id}/results");
    let (status, body) = app.get(&path, Some(&ann)).await;
    assert_error(
        &(status, body),
        StatusCode::FORBIDDEN,
        "not_a_moderator",
        None,
    );
    let (status, results) = app.get(&path, Some(&owner)).await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let counts = |n: usize| -> Vec<i64> {
        results["questions"][n]["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .map(|c| c["count"].as_i64().expect("count"))
            .collect()
    };
    assert_eq!(counts(0), vec![0, 2, 0]);
    assert_eq!(counts(1), vec![1, 2]);
    assert_eq!(counts(2), vec![0, 1, 0, 1, 0]);
    assert_eq!(
        results["questions"][3]["texts"],
        json!([{"respondent": "ann", "text": "More blitz"}])
    );

    // The pages and the CSV, signed in as the owner.
    let web = crate::web_client::Browser::new(&app);
    web.log_in("owner").await;
    let page = web.get(&format!("/surveys/{id}/results")).await;
    page.assert_html(StatusCode::OK);
    assert!(
        page.body.contains("<title id=\"q1-title\">"),
        "{}",
        page.body
    );
    let csv = web.get(&format!("/surveys/{id}/results.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("4,Anything else?,text,More blitz,1,ann"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("1,Which day?,single,Tue,2,"),
        "{}",
        csv.body
    );
    // A form answer that does not fit is shown again with its message (422).
    let member = crate::web_client::Browser::new(&app);
    member.log_in("eve").await;
    let page = member.get(&format!("/surveys/{id}")).await;
    let token = page.csrf_token();
    let q = format!("q{}", qid(&survey, 0));
    let refused = member
        .post(
            &format!("/surveys/{id}"),
            &[("csrf_token", &token), (&q, "0")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("Only the community"),
        "{}",
        refused.body
    );
    let (status, list) = app.get("/api/v1/communities/chess/surveys", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["respondents"], 2, "{list}");
}

#[tokio::test]
async fn a_closed_survey_takes_no_answers() {
    let app = TestApp::spawn().await;
    let (owner, ann, _, _) = scene(&app).await;
    let survey = create(&app, &owner, false).await;
    let id = survey["id"].as_i64().expect("id");
    app.context()
        .write(move |conn| {
            diesel::update(copse::db::schema::surveys::table.find(id))
                .set(
                    copse::db::schema::surveys::closes_at
                        .eq(copse::db::now() - chrono::Duration::minutes(1)),
                )
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("closed");
    let got = answer(&app, &ann, &survey, full(&survey, 0, json!([]), 3, "")).await;
    assert_error(
        &got,
        StatusCode::UNPROCESSABLE_ENTITY,
        "survey_closed",
        None,
    );
    let (_, read) = app.get(&format!("/api/v1/surveys/{id}"), Some(&ann)).await;
    assert_eq!(
        (read["closed"].clone(), read["may_answer"].clone()),
        (json!(true), json!(false))
    );
}

type Row = (
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

#[tokio::test]
async fn an_anonymous_surveys_tables_hold_no_link_to_the_person() {
    let app = TestApp::spawn().await;
    let (owner, ann, bob, _) = scene(&app).await;
    let survey = create(&app, &owner, true).await;
    for (token, text) in [(&ann, "Ann's words"), (&bob, "Bob's words")] {
        let ok = answer(&app, token, &survey, full(&survey, 2, json!([0]), 5, text)).await;
        assert_eq!(ok.0, StatusCode::CREATED, "{}", ok.1);
    }
    let sqlite = app.db.is_sqlite();
    let (rows, respondents, columns, physical, stamps) = app
        .context()
        .db(move |conn| {
            let rows: Vec<Row> = survey_answers::table
                .select((
                    survey_answers::id,
                    survey_answers::survey_id,
                    survey_answers::question_id,
                    survey_answers::response_id,
                    survey_answers::choice,
                    survey_answers::scale,
                    survey_answers::answer_text,
                ))
                .load(conn)?;
            let respondents: Vec<(i64, i64, Option<String>)> = survey_respondents::table
                .select((
                    survey_respondents::survey_id,
                    survey_respondents::person_id,
                    survey_respondents::response_id,
                ))
                .load(conn)?;
            let (columns_sql, physical_sql, stamps_sql) = if sqlite {
                (
                    "SELECT name AS v FROM pragma_table_info('survey_answers')",
                    // A WITHOUT ROWID table has no rowid: this fails.
                    "SELECT CAST(rowid AS TEXT) AS v FROM survey_answers",
                    "SELECT 'none' AS v",
                )
            } else {
                (
                    "SELECT column_name::text AS v FROM information_schema.columns \
                     WHERE table_name = 'survey_answers'",
                    "SELECT id AS v FROM survey_answers ORDER BY ctid",
                    "SELECT DISTINCT xmin::text AS v FROM survey_answers",
                )
            };
            let text = |conn: &mut copse::db::DbConn, sql: &str| -> Vec<String> {
                diesel::sql_query(sql)
                    .load::<V>(conn)
                    .map(|r| r.into_iter().map(|v| v.v).collect())
                    .unwrap_or_else(|_| vec!["(refused)".into()])
            };
            let columns = text(conn, columns_sql);
            let physical = text(conn, physical_sql);
            let stamps = text(conn, stamps_sql);
            Ok((rows, respondents, columns, physical, stamps))
        })
        .await
        .expect("read");

    let mut columns = columns;
    columns.sort();
    assert_eq!(
        columns,
        [
            "answer_text",
            "choice",
            "id",
            "question_id",
            "response_id",
            "scale",
            "survey_id"
        ],
        "no person, no time"
    );
    // 2 people × (1 + 1 + 1 + 1) answers.
    assert_eq!(rows.len(), 8, "{rows:?}");
    assert_eq!(respondents.len(), 2);
    assert!(respondents.iter().all(|r| r.2.is_none()), "{respondents:?}");
    let person_ids: Vec<String> = respondents.iter().map(|r| r.1.to_string()).collect();
    for (id, _, _, response, _, _, _) in &rows {
        assert!(
            response.is_none(),
            "a response id joins answers to a respondent"
        );
        assert_eq!(id.len(), 32, "128 random bits in hex: {id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert!(!person_ids.contains(id));
    }
    let mut ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "ids are distinct");
    if sqlite {
        assert_eq!(physical, ["(refused)"], "survey_answers has no rowid");
    } else {
        let sorted: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            physical, sorted,
            "the heap holds the answers in random-id order"
        );
        assert_eq!(
            stamps.len(),
            1,
            "one transaction wrote every row: {stamps:?}"
        );
    }
    // The moderators see the texts, with no one named.
    let id = survey["id"].as_i64().expect("id");
    let (status, results) = app
        .get(&format!("/api/v1/surveys/{id}/results"), Some(&owner))
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let texts = results["questions"][3]["texts"].as_array().expect("texts");
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().all(|t| t["respondent"].is_null()), "{texts:?}");
}

#[derive(QueryableByName)]
struct V {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}
