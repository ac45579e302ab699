//! Key pairs made on first need (`actions::keys`): sign-up and founding a community store none;
//! the first fetch of the actor makes one, every fetch after (and every racing fetch) shows the
//! same one, and the stored private key is the pair of the public key served.

use crate::helpers::TestApp;
use openssl::pkey::PKey;
use serde_json::json;

/// The stored (public, private) PEMs of local person `name` or, with `community`, of the
/// community of that name.
async fn stored(app: &TestApp, name: &str, community: bool) -> (String, Option<String>) {
    let name = name.to_string();
    app.context()
        .db(move |conn| {
            Ok(if community {
                let c = copse::db::communities::local_by_name(conn, &name)?.expect("community");
                (c.public_key, c.private_key)
            } else {
                let p = copse::db::accounts::local_person_by_name(conn, &name)?.expect("person");
                (p.public_key, p.private_key)
            })
        })
        .await
        .expect("query")
}

/// Fetches the actor at `path` eight times at once; all must show one key, which is returned.
async fn one_key_under_racing_fetches(app: &TestApp, path: &str) -> String {
    let fetches = (0..8).map(|_| app.activity_json(path));
    let keys: Vec<String> = futures::future::join_all(fetches)
        .await
        .into_iter()
        .map(|actor| {
            actor["publicKey"]["publicKeyPem"]
                .as_str()
                .expect("publicKeyPem")
                .to_string()
        })
        .collect();
    assert!(
        keys[0].starts_with("-----BEGIN PUBLIC KEY-----"),
        "{}",
        keys[0]
    );
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "racing fetches showed two keys"
    );
    assert_eq!(
        app.activity_json(path).await["publicKey"]["publicKeyPem"],
        keys[0].as_str()
    );
    keys[0].clone()
}

fn assert_pair(public: &str, private: Option<&str>) {
    let private =
        PKey::private_key_from_pem(private.expect("private key").as_bytes()).expect("private PEM");
    let public = PKey::public_key_from_pem(public.as_bytes()).expect("public PEM");
    assert!(
        private.public_eq(&public),
        "the private key is not the served key's pair"
    );
}

#[tokio::test]
async fn a_key_pair_is_made_on_first_fetch_and_never_changes() {
    let app = TestApp::spawn().await;
    let token = app.user("ada").await;
    let (status, body) = app.community(&token, "weavers", json!({})).await;
    assert!(status.is_success(), "{body}");
    for (name, community) in [("ada", false), ("weavers", true)] {
        assert_eq!(
            stored(&app, name, community).await,
            (String::new(), None),
            "{name}"
        );
    }

    let person_key = one_key_under_racing_fetches(&app, "/u/ada").await;
    let (public, private) = stored(&app, "ada", false).await;
    assert_eq!(public, person_key);
    assert_pair(&public, private.as_deref());

    let group_key = one_key_under_racing_fetches(&app, "/c/weavers").await;
    assert_ne!(group_key, person_key);
    let (public, private) = stored(&app, "weavers", true).await;
    assert_eq!(public, group_key);
    assert_pair(&public, private.as_deref());
}
