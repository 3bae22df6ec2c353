//! Every route of the API through `oneshot`, with the offline analyst.

mod common;

use axum::http::StatusCode;
use common::*;
use kleio_proxy::config::Config;
use kleio_proxy::secret::Secret;
use serde_json::{json, Value};

fn hashes(n: usize, salt: &str) -> Vec<String> {
    use sha2::{Digest, Sha256};
    (0..n).map(|i| format!("{:x}", Sha256::digest(format!("{salt}:{i}").as_bytes()))).collect()
}

fn dashboard_cluster(id: &str, level: usize, parent: Option<&str>, name: &str, size: usize, accounts: usize) -> Value {
    json!({
        "id": id, "level": level, "parent": parent, "name": name,
        "summary": "People asked for help with everyday tasks of this kind.",
        "size": size, "account_hashes": hashes(accounts, id), "position": [0.5, -0.25],
        "breakdowns": { "language": { "en": size - 2, "is": 2 } },
        "breakdown_accounts": { "language": { "en": accounts.min(size - 2), "is": 2usize.min(accounts) } }
    })
}

#[tokio::test]
async fn every_task_route_answers_with_the_offline_analyst() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    let chat = conversation("How do I plant tomatoes in a small garden? My email is ann.smith@example.com");

    let r = call(&app, "POST", "/api/v1/screen", &[], Some(json!({ "conversation": chat, "question": "Is this about gardening?" }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["keep"].is_boolean());

    let r = call(&app, "POST", "/api/v1/extract", &[], Some(json!({ "conversation": chat, "facet": request_facet() }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let answer = r.json()["answer"].as_str().unwrap().to_string();
    assert!(!answer.is_empty() && !answer.contains("ann.smith"), "{answer}");

    let r = call(&app, "POST", "/api/v1/extract", &[], Some(json!({ "conversation": chat, "facet": concern_facet() }))).await;
    assert!(r.json()["answer"].is_u64(), "{}", r.body);

    let bad_category = json!({ "id": "topic", "question": "Which?", "kind": { "kind": "category", "options": ["zzz"] } });
    let items = json!({ "items": [
        { "conversation": chat, "facet": request_facet() },
        { "conversation": chat, "facet": bad_category },
        { "conversation": chat, "facet": concern_facet() },
    ]});
    let r = call(&app, "POST", "/api/v1/extract/batch", &[], Some(items.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let results = r.json()["results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 3);
    assert!(results[0]["answer"].is_string() && results[1]["error"].is_string() && results[2]["answer"].is_u64(), "{results:?}");

    let r = call(&app, "POST", "/api/v1/extract/jobs", &[], Some(items)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let job = r.json();
    assert_eq!(job["status"], "ended");
    let r = call(&app, "GET", &format!("/api/v1/extract/jobs/{}", job["id"].as_str().unwrap()), &[], None).await;
    assert_eq!(r.json()["results"], json!(results));
    assert_eq!(call(&app, "GET", "/api/v1/extract/jobs/job-nope", &[], None).await.status, StatusCode::NOT_FOUND);

    let members: Vec<String> = (0..6).map(|i| format!("Help planting tomatoes and peppers in a garden bed {i}")).collect();
    let r = call(
        &app,
        "POST",
        "/api/v1/name-cluster",
        &[],
        Some(json!({ "facet": request_facet(), "members": members, "contrast": ["Help writing a cover letter", "Help writing a poem"] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["name"].as_str().unwrap().to_lowercase().contains("tomato"), "{}", r.body);

    let children = json!([brief("Plant tomatoes", 0.1), brief("Grow peppers", 0.2), brief("Write poems", 5.0), brief("Write stories", 5.2)]);
    let r =
        call(&app, "POST", "/api/v1/propose-parents", &[], Some(json!({ "facet": request_facet(), "children": children, "outside": [], "wanted": 2 }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(!r.json()["parents"].as_array().unwrap().is_empty());

    let r = call(&app, "POST", "/api/v1/dedupe", &[], Some(json!({ "facet": request_facet(), "proposals": children, "wanted": 2 }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let r = call(
        &app,
        "POST",
        "/api/v1/assign",
        &[],
        Some(json!({ "facet": request_facet(), "child": brief("Grow peppers", 0.2), "parents": [brief("Writing", 5.0), brief("Gardening", 0.15)] })),
    )
    .await;
    assert_eq!(r.json()["index"], 1, "{}", r.body);

    // A whole step at once; answers index the parents, whatever order each child saw them in.
    let step = json!({ "facet": request_facet(), "parents": [brief("Writing", 5.0), brief("Gardening", 0.15)], "children": children, "orders": [[0, 1], [1, 0], [0, 1], [1, 0]] });
    let r = call(&app, "POST", "/api/v1/assign/batch", &[], Some(step)).await;
    assert_eq!(r.json()["results"], json!([{ "index": 1 }, { "index": 1 }, { "index": 0 }, { "index": 0 }]), "{}", r.body);

    let r = call(&app, "POST", "/api/v1/rename", &[], Some(json!({ "facet": request_facet(), "children": children }))).await;
    assert!(r.json()["name"].is_string(), "{}", r.body);

    let r = call(&app, "POST", "/api/v1/audit", &[], Some(json!({ "content": "Write to ann.smith@example.com" }))).await;
    assert_eq!(r.json()["score"], 1, "{}", r.body);
    let r = call(&app, "POST", "/api/v1/audit", &[], Some(json!({ "content": "Plan vegetable gardens" }))).await;
    assert_eq!(r.json()["score"], 5, "{}", r.body);

    let r = call(&app, "GET", "/api/v1/backend", &[], None).await;
    assert_eq!(r.json()["backend"], "offline");
}

#[tokio::test]
async fn bad_bodies_get_json_errors_and_no_route_takes_a_prompt() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    let r = call(&app, "POST", "/api/v1/extract", &[], Some(json!({ "conversation": "not a conversation" }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"].is_string());
    let r = call(&app, "POST", "/api/v1/complete", &[], Some(json!({ "prompt": "Say hi" }))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(&app, "POST", "/api/v1/extract/batch", &[], Some(json!({ "items": [] }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("1 to"));
    let r = call(
        &app,
        "POST",
        "/api/v1/assign/batch",
        &[],
        Some(json!({ "facet": request_facet(), "parents": [brief("Writing", 5.0)], "children": [brief("Poems", 5.1)], "orders": [[0, 0]] })),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("does not show each"), "{}", r.body);
}

/// A top-level cluster of 60 conversations, one child of 30 that passes
/// every gate, and `more` children of it.
fn garden_submission(more: Vec<Value>) -> Value {
    let mut clusters = vec![dashboard_cluster("top", 1, None, "Grow food at home", 60, 40), dashboard_cluster("a", 0, Some("top"), "Plant tomatoes", 30, 20)];
    clusters.extend(more);
    json!({ "title": "How people garden", "facet": "request", "clusters": clusters })
}

#[tokio::test]
async fn dashboards_are_gated_stored_read_and_removed_with_the_delete_token() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    let submission = garden_submission(vec![
        dashboard_cluster("b", 0, Some("top"), "Email bob.jones@example.org about seeds", 20, 15),
        dashboard_cluster("c", 0, Some("top"), "Prune apple trees", 10, 3),
    ]);
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(submission)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let published = r.json();
    let removed: Vec<&str> = published["removed"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(removed, ["b", "c"]);
    assert_eq!(published["published"], 2);
    let id = published["id"].as_str().unwrap();
    assert_eq!(published["url"], format!("/d/{id}"));

    let r = call(&app, "GET", &format!("/api/v1/dashboards/{id}"), &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    let board = r.json();
    assert_eq!(board["clusters"].as_array().unwrap().len(), 2);
    assert_eq!(board["clusters"][1]["accounts"], 20);
    assert_eq!(board["clusters"][1]["breakdowns"]["language"], json!({ "en": 28, "other": 2 }));
    assert!(!r.body.contains("bob.jones") && !r.body.contains(&hashes(1, "a")[0]) && !r.body.contains("account_hashes"));
    // The privacy report: per level, what each gate withheld, in numbers only.
    let base = &board["report"]["levels"][1];
    assert_eq!((base["level"].as_u64(), base["published_clusters"].as_u64(), base["published_conversations"].as_u64()), (Some(0), Some(1), Some(30)));
    assert_eq!(
        base["withheld_by_proxy"],
        json!({ "clusters": 2, "conversations": 30, "too_few_accounts": 1, "too_few_conversations": 0, "audit_failed": 1, "parent_hidden": 0 })
    );
    assert_eq!(board["report"]["proxy_minimums"]["min_accounts"], 5);
    assert!(board["report"]["auditor"].as_str().unwrap().starts_with("offline"));

    // Immutable: an ETag, a day's caching, a 304 for a copy already held, gzip for a browser that takes it.
    let etag = r.headers["etag"].to_str().unwrap().to_string();
    assert_eq!(r.headers["cache-control"], "public, max-age=86400");
    let again = call(&app, "GET", &format!("/api/v1/dashboards/{id}"), &[("if-none-match", &etag)], None).await;
    assert_eq!((again.status, again.body.as_str()), (StatusCode::NOT_MODIFIED, ""));
    let zipped = call(&app, "GET", &format!("/api/v1/dashboards/{id}"), &[("accept-encoding", "gzip, deflate, br")], None).await;
    assert_eq!(zipped.headers["content-encoding"], "gzip");
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(zipped.bytes.as_slice()), &mut unzipped).unwrap();
    assert_eq!(unzipped, r.body);
    assert!(zipped.bytes.len() < r.body.len());
    let refused = call(&app, "GET", &format!("/api/v1/dashboards/{id}"), &[("accept-encoding", "gzip;q=0, identity")], None).await;
    assert!(refused.headers.get("content-encoding").is_none());

    // The share link opens the app, which routes on the client.
    let r = call(&app, "GET", &format!("/d/{id}"), &[], None).await;
    assert!(r.status == StatusCode::OK && r.body.contains("<html>"));

    let path = format!("/api/v1/dashboards/{id}");
    assert_eq!(call(&app, "DELETE", &path, &[], None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&app, "DELETE", &path, &[("x-delete-token", "wrong")], None).await.status, StatusCode::FORBIDDEN);
    let token = published["delete_token"].as_str().unwrap();
    assert_eq!(call(&app, "DELETE", &path, &[("x-delete-token", token)], None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, "GET", &path, &[], None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, "GET", "/api/v1/dashboards/../../etc", &[], None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_submission_with_conversation_text_or_raw_accounts_is_refused() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    let with_text = json!({
        "title": "t", "facet": "request",
        "clusters": [dashboard_cluster("a", 0, None, "Plant tomatoes", 30, 20)],
        "conversations": [{ "messages": [{ "role": "user", "content": "my secret" }] }]
    });
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(with_text)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"].as_str().unwrap().contains("unknown field"), "{}", r.body);
    let mut raw = dashboard_cluster("a", 0, None, "Plant tomatoes", 30, 20);
    raw["account_hashes"][0] = json!("user-42");
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(json!({ "title": "t", "facet": "request", "clusters": [raw] }))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nothing = json!({ "title": "t", "facet": "request", "clusters": [dashboard_cluster("a", 0, None, "Plant tomatoes", 3, 3)] });
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(nothing)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["removed"][0]["id"], "a");
}

#[tokio::test]
async fn the_gate_checks_the_tree_and_counts_a_hash_once_in_any_case() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    let publish = |clusters: Vec<Value>| json!({ "title": "Gardens", "facet": "request", "clusters": clusters });
    // The parent fails its audit; a child that claims no parent would escape it.
    let detached = publish(vec![
        dashboard_cluster("top", 1, None, "Email bob.jones@example.org about seeds", 60, 40),
        dashboard_cluster("a", 0, None, "Plant tomatoes", 30, 20),
    ]);
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(detached)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"].as_str().unwrap().contains("only the top level"), "{}", r.body);
    let overflow =
        publish(vec![dashboard_cluster("top", 1, None, "Grow food", 60, 40), dashboard_cluster("a", usize::MAX, Some("top"), "Plant tomatoes", 30, 20)]);
    assert_eq!(call(&app, "POST", "/api/v1/dashboards", &[], Some(overflow)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Three accounts, each hash written in lower and in upper case: three, not six.
    let mut cased = dashboard_cluster("a", 0, None, "Plant tomatoes", 30, 3);
    let lower: Vec<String> = hashes(3, "a");
    cased["account_hashes"] = json!(lower.iter().cloned().chain(lower.iter().map(|h| h.to_uppercase())).collect::<Vec<_>>());
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(publish(vec![cased]))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["removed"][0]["reasons"][0]["accounts"], 3, "{}", r.body);
}

#[tokio::test]
async fn the_access_token_guards_what_costs_or_stores_and_nothing_else() {
    let dist = Dist::new();
    let config = Config { access_tokens: vec![Secret::new("open-sesame")], ..Config::offline() };
    let app = router(&dist, &config);
    let body = json!({ "content": "Plan vegetable gardens" });
    let r = call(&app, "POST", "/api/v1/audit", &[], Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.body.contains("open-sesame"));
    let r = call(&app, "POST", "/api/v1/audit", &[("authorization", "Bearer nope")], Some(body.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(&app, "POST", "/api/v1/audit", &[("authorization", "Bearer open-sesame")], Some(body)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(call(&app, "POST", "/api/v1/dashboards", &[], Some(json!({}))).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&app, "GET", "/api/v1/health", &[], None).await.status, StatusCode::OK);
    assert_eq!(call(&app, "GET", "/api/v1/backend", &[], None).await.status, StatusCode::OK);
    assert_eq!(call(&app, "GET", "/api/v1/dashboards/AAAAAAAAAAAAAAAAAAAAAA", &[], None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_and_size_limits_answer_429_and_413() {
    let dist = Dist::new();
    let mut config = Config::offline();
    config.limits.requests_per_minute = 3;
    config.limits.max_body_bytes = 2048;
    let app = router(&dist, &config);
    let big = json!({ "content": "x".repeat(4096) });
    let r = call(&app, "POST", "/api/v1/audit", &[], Some(big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    for _ in 0..2 {
        assert_eq!(call(&app, "GET", "/api/v1/health", &[], None).await.status, StatusCode::OK);
    }
    let r = call(&app, "GET", "/api/v1/health", &[], None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
    assert!(r.json()["error"].as_str().unwrap().contains("too many requests"));
}

#[tokio::test]
async fn long_conversations_are_cut_to_the_token_budget() {
    let dist = Dist::new();
    let mut config = Config::offline();
    config.limits.conversation_tokens = 100;
    let app = router(&dist, &config);
    let long = format!("How do I bake bread? {}", "Knead the dough longer. ".repeat(2000));
    let r = call(&app, "POST", "/api/v1/extract", &[], Some(json!({ "conversation": conversation(&long), "facet": request_facet() }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.json()["answer"].as_str().unwrap().len() < 600);
}

#[tokio::test]
async fn a_dashboard_downloads_as_a_static_site_of_the_app_and_its_json() {
    let dist = Dist::new();
    std::fs::write(dist.path().join("app.js"), "export default function init() {}").unwrap();
    std::fs::write(dist.path().join("app_bg.wasm"), b"\0asm module").unwrap();
    std::fs::write(dist.path().join("app_bg.wasm.gz"), b"gzipped copy").unwrap();
    std::fs::create_dir_all(dist.path().join("models")).unwrap();
    let app = router(&dist, &Config::offline());
    let submission = garden_submission(vec![dashboard_cluster("b", 0, Some("top"), "Water the beds", 30, 20)]);
    let published = call(&app, "POST", "/api/v1/dashboards", &[], Some(submission)).await.json();
    let id = published["id"].as_str().unwrap();
    let stored = call(&app, "GET", &format!("/api/v1/dashboards/{id}"), &[], None).await.body;

    let r = call(&app, "GET", &format!("/api/v1/dashboards/{id}/site"), &[], None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/zip");
    assert_eq!(r.headers["content-disposition"], format!("attachment; filename=\"kleio-dashboard-{id}.zip\""));
    let mut site = zip::ZipArchive::new(std::io::Cursor::new(r.bytes)).unwrap();
    let mut names: Vec<String> = site.file_names().map(|n| n.unwrap().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["README.txt", "app.js", "app_bg.wasm", "dashboard.json", "index.html"], "the app's files, not its gzip copies or folders");
    let read = |site: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut site.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    assert_eq!(read(&mut site, "dashboard.json"), stored);
    let index = read(&mut site, "index.html");
    assert!(index.contains("import init from './app.js'"), "links relative, for a sub-path: {index}");
    assert!(index.contains(r#"<meta name="kleio-dashboard" content="dashboard.json" />"#), "{index}");
    assert_eq!(read(&mut site, "app_bg.wasm"), "\0asm module");

    // A second download reuses the zipped app and is the same site.
    let again = call(&app, "GET", &format!("/api/v1/dashboards/{id}/site"), &[], None).await;
    assert_eq!(zip::ZipArchive::new(std::io::Cursor::new(again.bytes)).unwrap().len(), 5);
    assert_eq!(call(&app, "GET", "/api/v1/dashboards/AAAAAAAAAAAAAAAAAAAAAA/site", &[], None).await.status, StatusCode::NOT_FOUND);
    let token = published["delete_token"].as_str().unwrap();
    call(&app, "DELETE", &format!("/api/v1/dashboards/{id}"), &[("x-delete-token", token)], None).await;
    assert_eq!(call(&app, "GET", &format!("/api/v1/dashboards/{id}/site"), &[], None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_module_goes_out_gzipped_to_a_browser_that_accepts_it() {
    let dist = Dist::new();
    std::fs::write(dist.path().join("app_bg.wasm"), b"\0asm plain module").unwrap();
    std::fs::write(dist.path().join("app_bg.wasm.gz"), b"gzipped bytes").unwrap();
    let app = router(&dist, &Config::offline());

    let r = call(&app, "GET", "/app_bg.wasm", &[("accept-encoding", "gzip, br")], None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-encoding"], "gzip");
    assert_eq!(r.headers["content-type"], "application/wasm");
    assert_eq!(r.body, "gzipped bytes");

    let r = call(&app, "GET", "/app_bg.wasm", &[], None).await;
    assert!(r.headers.get("content-encoding").is_none());
    assert_eq!(r.body, "\0asm plain module");
}

#[tokio::test]
async fn a_host_name_the_operator_did_not_choose_is_refused() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    // A page on another site that rebound its name to 127.0.0.1 sends its own name.
    for host in ["evil.example:8080", "localhost.evil.example"] {
        let r = call(&app, "POST", "/api/v1/audit", &[("host", host)], Some(json!({ "content": "Recipes for bread" }))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{host}");
        assert!(r.json()["error"].as_str().unwrap().contains("KLEIO_ALLOWED_HOSTS"));
        assert_eq!(call(&app, "GET", "/", &[("host", host)], None).await.status, StatusCode::FORBIDDEN, "static files too");
    }
    let r = call(&app, "POST", "/api/v1/audit", &[("host", "127.0.0.1:8080")], Some(json!({ "content": "Recipes for bread" }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let named = Config { allowed_hosts: kleio_proxy::hosts::HostPolicy::parse("kleio.example.org"), ..Config::offline() };
    let app = router(&dist, &named);
    assert_eq!(call(&app, "GET", "/api/v1/health", &[("host", "kleio.example.org")], None).await.status, StatusCode::OK);
    assert_eq!(call(&app, "GET", "/api/v1/health", &[("host", "localhost:8080")], None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_task_route_refuses_work_past_its_bounds() {
    let dist = Dist::new();
    let app = router(&dist, &Config::offline());
    let children: Vec<Value> = (0..3).map(|i| brief(&format!("cluster {i}"), i as f32)).collect();
    let refused = [
        ("/api/v1/propose-parents", json!({ "facet": request_facet(), "children": children, "outside": [], "wanted": 100000 })),
        ("/api/v1/dedupe", json!({ "facet": request_facet(), "proposals": children, "wanted": 4 })),
        ("/api/v1/rename", json!({ "facet": request_facet(), "children": [brief(&"long ".repeat(100), 1.0)] })),
        ("/api/v1/audit", json!({ "content": "x".repeat(5000) })),
        ("/api/v1/screen", json!({ "conversation": conversation("hi"), "question": "?".repeat(3000) })),
        ("/api/v1/name-cluster", json!({ "facet": request_facet(), "members": vec!["an answer"; 201], "contrast": [] })),
        ("/api/v1/extract", json!({ "conversation": conversation("hi"), "facet": { "id": "", "question": "Which?", "kind": { "kind": "open_text" } } })),
    ];
    for (path, body) in refused {
        let r = call(&app, "POST", path, &[], Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", r.body);
    }
    let r =
        call(&app, "POST", "/api/v1/propose-parents", &[], Some(json!({ "facet": request_facet(), "children": children, "outside": [], "wanted": 2 }))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn publishing_stops_at_the_quota_and_refuses_an_oversized_dashboard() {
    let dist = Dist::new();
    let mut config = Config::offline();
    config.retention.max_dashboards = 1;
    let app = router(&dist, &config);
    let board = json!({ "title": "Gardening help", "facet": "request", "clusters": [dashboard_cluster("a", 0, None, "Grow tomatoes in pots", 30, 20)] });
    assert_eq!(call(&app, "POST", "/api/v1/dashboards", &[], Some(board.clone())).await.status, StatusCode::CREATED);
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(board.clone())).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("KLEIO_MAX_DASHBOARDS"));

    let mut small = Config::offline();
    small.retention.max_dashboard_bytes = 1024;
    let app = router(&dist, &small);
    let clusters: Vec<Value> = (0..20).map(|i| dashboard_cluster(&format!("a{i}"), 0, None, "Grow tomatoes in pots", 30, 20)).collect();
    let r = call(&app, "POST", "/api/v1/dashboards", &[], Some(json!({ "title": "Gardening help", "facet": "request", "clusters": clusters }))).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.json()["error"].as_str().unwrap().contains("KLEIO_MAX_DASHBOARD_BYTES"));
}
