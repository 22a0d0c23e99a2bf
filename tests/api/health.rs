use serde_json::Value;

use crate::helpers::{expected_backend, spawn_app};

#[actix_web::test]
async fn liveness_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/health/live").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[actix_web::test]
async fn readiness_names_the_database_that_answered() {
    let app = spawn_app().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], expected_backend().as_str());
}
