//! The ActivityPub read side as other servers see it: actors, content negotiation, collections,
//! WebFinger, NodeInfo, and one instance fetching another's Group over signed HTTP.

use crate::helpers::{assert_error, TestApp};
use activitypub_federation::fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor};
use copse::{context::AppContext, db::communities::Community};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn with_community(policy: &str) -> TestApp {
    let app = TestApp::spawn().await;
    let token = app.user("wren").await;
    let (status, body) = app
        .community(&token, "beekeepers", json!({
            "summary": "Bees **matter**",
            "membership_policy": policy,
            "charter": {"purpose": "Keep bees well", "domain": "Apiculture", "practice": "Hive visits", "code_of_conduct": "Be calm"}
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app
}

#[tokio::test]
async fn group_actor_has_the_lemmy_shape() {
    let app = with_community("approval").await;
    let id = format!("http://{}/c/beekeepers", app.hostname);
    let g = app.activity_json("/c/beekeepers").await;
    assert_eq!(g["type"], "Group");
    assert_eq!(g["id"], id);
    assert_eq!(g["preferredUsername"], "beekeepers");
    assert_eq!(g["name"], "The beekeepers community");
    assert!(g["summary"]
        .as_str()
        .unwrap_or("")
        .contains("<strong>matter</strong>"));
    assert_eq!(g["source"]["mediaType"], "text/markdown");
    // The charter follows the summary in both, for Lemmy, which shows nothing else.
    let source = g["source"]["content"].as_str().unwrap_or("");
    assert!(
        source.starts_with("Bees **matter**\n\n---\n\n**Charter**\n\n**Purpose:** Keep bees well"),
        "{source}"
    );
    assert!(
        source.contains("**Code of conduct**\n\nBe calm"),
        "{source}"
    );
    let summary = g["summary"].as_str().unwrap_or("");
    assert!(
        summary.contains("<strong>Domain:</strong> Apiculture"),
        "{summary}"
    );
    for (key, path) in [
        ("inbox", "/inbox"),
        ("outbox", "/outbox"),
        ("followers", "/followers"),
        ("featured", "/featured"),
        ("attributedTo", "/moderators"),
    ] {
        assert_eq!(g[key], format!("{id}{path}"), "{key}");
    }
    assert_eq!(
        g["endpoints"]["sharedInbox"],
        format!("http://{}/inbox", app.hostname)
    );
    assert_eq!(g["publicKey"]["id"], format!("{id}#main-key"));
    assert_eq!(g["publicKey"]["owner"], id);
    assert!(g["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap_or("")
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(g["manuallyApprovesFollowers"], true);
    assert_eq!(g["postingRestrictedToMods"], false);
    assert_eq!(g["discoverable"], true);
    assert!(g["published"].is_string());
    assert!(g.get("updated").is_none(), "absent, not null, until edited");
    let fields: Vec<(&str, &str)> = g["attachment"]
        .as_array()
        .expect("attachment")
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap_or(""),
                a["type"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(fields.contains(&("Purpose", "PropertyValue")));
    assert!(fields.contains(&("Domain", "PropertyValue")));
    assert!(fields.contains(&("Code of conduct", "PropertyValue")));
    assert!(g["@context"]
        .to_string()
        .contains("https://www.w3.org/ns/activitystreams"));
}

#[tokio::test]
async fn open_community_does_not_ask_for_approval() {
    let app = with_community("open").await;
    let g = app.activity_json("/c/beekeepers").await;
    assert_eq!(g["manuallyApprovesFollowers"], false);
}

#[tokio::test]
async fn content_negotiation_serves_json_to_servers_and_html_to_browsers() {
    let app = with_community("open").await;
    let ld = r#"application/ld+json; profile="https://www.w3.org/ns/activitystreams""#;
    let (status, ct, body) = app.fetch("/c/beekeepers", ld).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("application/activity+json"), "{ct}");
    assert!(body.contains("\"Group\""));

    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let res = app
        .client
        .get(app.url("/c/beekeepers"))
        .header("accept", browser)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = res.text().await.unwrap_or_default();
    assert!(html.contains("<h1>The beekeepers community</h1>"), "{html}");
    assert!(html.contains("Apiculture"));
    assert!(html.contains(&format!("!beekeepers@{}", app.hostname)));

    let (status, _, html) = app.fetch("/u/wren", "text/html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("@wren@"));
    let (status, _, _) = app.fetch("/c/nobody", "text/html").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.fetch("/", "text/html").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn person_and_instance_actors() {
    let app = with_community("open").await;
    let id = format!("http://{}/u/wren", app.hostname);
    let p = app.activity_json("/u/wren").await;
    assert_eq!(p["type"], "Person");
    assert_eq!(p["id"], id);
    assert_eq!(p["preferredUsername"], "wren");
    assert_eq!(p["inbox"], format!("{id}/inbox"));
    assert_eq!(
        p["outbox"],
        format!("{id}/outbox"),
        "Lemmy requires an outbox"
    );
    assert_eq!(p["publicKey"]["owner"], id);

    let i = app.activity_json("/actor").await;
    assert_eq!(i["type"], "Application");
    assert_eq!(i["id"], format!("http://{}/actor", app.hostname));
    assert!(i["publicKey"]["publicKeyPem"].is_string());

    let (status, _, _) = app.fetch("/u/nobody", "application/activity+json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.fetch("/c/nobody", "application/activity+json").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn collections_count_and_list_what_exists() {
    let app = with_community("open").await;
    let base = format!("http://{}/c/beekeepers", app.hostname);
    let mods = app.activity_json("/c/beekeepers/moderators").await;
    assert_eq!(mods["type"], "OrderedCollection");
    assert_eq!(
        mods["orderedItems"],
        json!([format!("http://{}/u/wren", app.hostname)])
    );
    let followers = app.activity_json("/c/beekeepers/followers").await;
    assert_eq!(followers["id"], format!("{base}/followers"));
    assert_eq!(followers["totalItems"], 1);
    let outbox = app.activity_json("/c/beekeepers/outbox").await;
    assert_eq!(outbox["totalItems"], 0);
    let featured = app.activity_json("/c/beekeepers/featured").await;
    assert_eq!(featured["type"], "OrderedCollection");
    let person_outbox = app.activity_json("/u/wren/outbox").await;
    assert_eq!(person_outbox["type"], "OrderedCollection");
}

#[tokio::test]
async fn private_community_hides_its_follower_count_and_is_not_counted() {
    let app = TestApp::spawn().await;
    let token = app.user("yara").await;
    app.community(&token, "hidden", json!({"visibility": "private"}))
        .await;
    let followers = app.activity_json("/c/hidden/followers").await;
    assert!(followers.get("totalItems").is_none(), "{followers}");
    let (_, _, body) = app.fetch("/nodeinfo/2.1", "application/json").await;
    let info: Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(info["metadata"]["communities"], 0);
}

#[tokio::test]
async fn webfinger_finds_users_and_communities() {
    let app = with_community("open").await;
    let host = app.hostname.clone();
    for (name, kind, path) in [("beekeepers", "Group", "c"), ("wren", "Person", "u")] {
        let (status, ct, body) = app
            .fetch(
                &format!("/.well-known/webfinger?resource=acct:{name}@{host}"),
                "application/jrd+json",
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(ct.starts_with("application/jrd+json"));
        let wf: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(wf["subject"], format!("acct:{name}@{host}"));
        let self_link = wf["links"]
            .as_array()
            .expect("links")
            .iter()
            .find(|l| l["rel"] == "self")
            .expect("self link")
            .clone();
        assert_eq!(self_link["type"], "application/activity+json");
        assert_eq!(self_link["href"], format!("http://{host}/{path}/{name}"));
        assert_eq!(
            self_link["properties"]["https://www.w3.org/ns/activitystreams#type"],
            kind
        );
    }
    let by_url = app
        .get(
            &format!("/.well-known/webfinger?resource=http://{host}/c/beekeepers"),
            None,
        )
        .await;
    assert_eq!(by_url.0, StatusCode::OK, "{}", by_url.1);

    let unknown = app
        .get(
            &format!("/.well-known/webfinger?resource=acct:nobody@{host}"),
            None,
        )
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "not_found", None);
    let elsewhere = app
        .get(
            "/.well-known/webfinger?resource=acct:wren@elsewhere.example",
            None,
        )
        .await;
    assert_error(&elsewhere, StatusCode::NOT_FOUND, "not_found", None);
    let missing = app.get("/.well-known/webfinger", None).await;
    assert_error(&missing, StatusCode::BAD_REQUEST, "missing_resource", None);
}

#[tokio::test]
async fn nodeinfo_reports_software_and_users() {
    let app = with_community("open").await;
    let links = app.get("/.well-known/nodeinfo", None).await.1;
    let href = links["links"][0]["href"]
        .as_str()
        .expect("href")
        .to_string();
    assert_eq!(href, format!("http://{}/nodeinfo/2.1", app.hostname));
    assert_eq!(
        links["links"][0]["rel"],
        "http://nodeinfo.diaspora.software/ns/schema/2.1"
    );
    let (status, info) = app.get("/nodeinfo/2.1", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["version"], "2.1");
    assert_eq!(info["software"]["name"], "copse");
    assert_eq!(info["software"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["protocols"], json!(["activitypub"]));
    assert_eq!(info["openRegistrations"], true);
    assert_eq!(info["usage"]["users"]["total"], 1);
    app.user("zeno").await;
    assert_eq!(
        app.get("/nodeinfo/2.1", None).await.1["usage"]["users"]["total"],
        2
    );
}

fn context(app: &TestApp) -> AppContext {
    app.server.as_ref().expect("running").context.clone()
}

#[tokio::test]
async fn another_instance_fetches_the_group_by_url_and_by_webfinger() {
    let home = with_community("approval").await;
    let reader = TestApp::spawn().await;
    let config = copse::federation::config(context(&reader))
        .await
        .expect("config");
    let data = config.to_request_data();

    let id = format!("http://{}/c/beekeepers", home.hostname);
    let group: Community = ObjectId::<Community>::parse(&id)
        .expect("id")
        .dereference(&data)
        .await
        .expect("signed fetch of the Group");
    assert!(!group.local);
    assert_eq!(group.name, "beekeepers");
    assert_eq!(group.title, "The beekeepers community");
    assert_eq!(group.membership_policy, "approval");
    assert!(group.summary_html.contains("<strong>matter</strong>"));

    // Stored on the reader, and found again by its handle through WebFinger.
    let stored = context(&reader)
        .db(move |conn| copse::db::communities::by_ap_id(conn, &id))
        .await
        .expect("query");
    assert!(stored.is_some_and(|c| !c.local));
    let found: Community = webfinger_resolve_actor(&format!("beekeepers@{}", home.hostname), &data)
        .await
        .expect("webfinger");
    assert_eq!(
        found.ap_id.as_str(),
        format!("http://{}/c/beekeepers", home.hostname)
    );
    // The home instance still has exactly its one local community.
    let (_, page) = home.get("/api/v1/communities", None).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn group_outbox_lists_the_latest_posts_as_announces_for_public_communities() {
    let app = TestApp::spawn().await;
    let token = app.user("wren").await;
    app.community(&token, "chess", json!({})).await;
    app.community(&token, "hidden", json!({"visibility": "private"}))
        .await;
    for (community, n) in [("chess", 22), ("hidden", 1)] {
        for i in 1..=n {
            let (status, body) = app
                .post(
                    &format!("/api/v1/communities/{community}/posts"),
                    Some(&token),
                    json!({"title": format!("{community} post {i}")}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
    let group = format!("http://{}/c/chess", app.hostname);
    let outbox = app.activity_json("/c/chess/outbox").await;
    assert_eq!(outbox["type"], "OrderedCollection");
    assert_eq!(outbox["id"], format!("{group}/outbox"));
    assert_eq!(outbox["totalItems"], 20);
    let items = outbox["orderedItems"].as_array().expect("items");
    let titles: Vec<&str> = items
        .iter()
        .filter_map(|a| a["object"]["object"]["name"].as_str())
        .collect();
    let newest: Vec<String> = (3..=22).rev().map(|i| format!("chess post {i}")).collect();
    assert_eq!(titles, newest);
    for announce in items {
        assert_eq!(announce["type"], "Announce", "{announce}");
        assert_eq!(announce["actor"], json!(group));
        assert_eq!(
            announce["to"],
            json!(["https://www.w3.org/ns/activitystreams#Public"])
        );
        assert_eq!(announce["cc"], json!([format!("{group}/followers")]));
        let create = &announce["object"];
        assert_eq!(create["type"], "Create", "{create}");
        let page = &create["object"];
        assert_eq!(page["type"], "Page", "{page}");
        assert_eq!(create["actor"], page["attributedTo"]);
        assert!(create["cc"].as_array().expect("cc").contains(&json!(group)));
        let id = |v: &Value| v.as_str().unwrap_or_default().to_string();
        assert!(id(&announce["id"]).starts_with(&group), "{announce}");
        assert!(id(&create["id"]).starts_with(&id(&page["id"])), "{create}");
    }

    // A private community's outbox is empty to anonymous and unsigned fetchers.
    let hidden = app.activity_json("/c/hidden/outbox").await;
    assert_eq!(hidden["totalItems"], 0, "{hidden}");
    assert_eq!(hidden["orderedItems"], json!([]));
}
