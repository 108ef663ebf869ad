//! Every path id of another organization answers 404, exactly like one that exists nowhere.

use reqwest::{Method, StatusCode};
use serde_json::json;
use vendhub_testkit::api::valid_value;

use super::requests::{fill, fill_missing, gist, path_operations, send, with_own_ids};
use super::world;

#[tokio::test]
async fn every_path_id_of_another_organization_answers_404_like_a_missing_one() {
    let w = world().await;
    let mut checked = 0;
    for (m, path, op) in path_operations(&w.doc) {
        let body = op
            .pointer("/requestBody/content/application~1json/schema")
            .map(|s| {
                let mut body = valid_value(&w.doc, s, 0);
                // One of two optional fields is required: the schema cannot say which.
                if path.ends_with("/planogram/copy") {
                    body["from_template_id"] = json!("");
                }
                with_own_ids(body, &w.ids_b)
            });
        let foreign = send(&w, &m, &fill(&path, &w.ids_a), &w.b, body.as_ref(), false).await;
        let missing = send(&w, &m, &fill_missing(&path), &w.b, body.as_ref(), false).await;
        assert_eq!(
            foreign.0,
            StatusCode::NOT_FOUND,
            "{m} {path} with A's ids, as B, with a valid body {body:?}: {}",
            foreign.1
        );
        assert_eq!(
            gist(foreign.0, &foreign.1),
            gist(missing.0, &missing.1),
            "{m} {path}: A's ids answer differently from missing ones"
        );
        checked += 1;
    }
    assert!(checked >= 50, "{checked}");
    // The same ids are real: A finds each of them (read operations only, so nothing of A's changes).
    for (m, path, _) in path_operations(&w.doc) {
        if m == Method::GET {
            let (status, body) = send(&w, &m, &fill(&path, &w.ids_a), &w.a, None, false).await;
            assert!(status.is_success(), "{m} {path} as A: {status} {body}");
        }
    }
}
