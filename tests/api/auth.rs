//! Sign-in and broken authentication (OWASP API2): every way a token can be
//! wrong is a 401 problem with `WWW-Authenticate: Bearer`.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use gef_commitments::domain::account::Role;
use jsonwebtoken::{EncodingKey, Header};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TEST_JWT_SECRET, TestApp, assert_problem, spawn_app};

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn me(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url("/api/v1/me"));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    request.send().await.unwrap()
}

async fn assert_unauthorized(response: reqwest::Response) {
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_problem(response, 401, "unauthorized").await;
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn sign_in_gives_a_strict_bearer_jwt() {
    let app = spawn_app().await;
    let id = app
        .create_account(
            "Lead@Example.org",
            Role::CoalitionLead,
            None,
            &["climate-justice"],
        )
        .await;
    // The email is normalised: any case signs in.
    let response = sign_in(&app, "lead@EXAMPLE.org", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();

    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    let claims = payload(token);
    assert_eq!(claims["sub"], id);
    assert_eq!(claims["role"], "coalition_lead");
    assert_eq!(claims["iss"], "gef-commitments");
    assert_eq!(claims["aud"], "gef-commitments-api");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert_eq!(claims["nbf"], claims["iat"]);
    assert!((claims["iat"].as_i64().unwrap() - Utc::now().timestamp()).abs() < 60);
    assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
    assert!(!token.contains(PASSWORD));

    let me: Value = me(&app, Some(&format!("Bearer {token}")))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["email"], "lead@example.org");
    assert_eq!(me["role"], "coalition_lead");
    assert_eq!(me["coalitions"], json!(["climate-justice"]));
    assert_eq!(me["organization"], Value::Null);
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_email_look_the_same() {
    let app = spawn_app().await;
    app.create_account("maker@example.org", Role::Viewer, None, &[])
        .await;
    let wrong = sign_in(&app, "maker@example.org", "Not the password 1").await;
    let unknown = sign_in(&app, "nobody@example.org", "Not the password 1").await;
    let wrong = assert_problem(wrong, 401, "unauthorized").await;
    let unknown = assert_problem(unknown, 401, "unauthorized").await;
    assert_eq!(wrong, unknown);

    // Both paths verify a real Argon2 hash: without the dummy verification an
    // unknown email would answer in a fraction of the time.
    let mut timings = [Vec::new(), Vec::new()];
    for _ in 0..5 {
        for (i, email) in ["maker@example.org", "nobody@example.org"]
            .into_iter()
            .enumerate()
        {
            let start = Instant::now();
            sign_in(&app, email, "Not the password 1").await;
            timings[i].push(start.elapsed());
        }
    }
    let median = |t: &mut Vec<Duration>| {
        t.sort();
        t[t.len() / 2]
    };
    let (known, unknown) = (median(&mut timings[0]), median(&mut timings[1]));
    assert!(
        unknown.as_secs_f64() > known.as_secs_f64() * 0.3,
        "unknown email {unknown:?} vs wrong password {known:?}"
    );
}

#[actix_web::test]
async fn malformed_sign_in_bodies_are_problems() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": "not an email", "password": "x"}))
        .send()
        .await
        .unwrap();
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "email");
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "malformed_json").await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .body("email=a@b.org&password=x")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415, "unsupported_media_type").await;
}

/// A token signed with `secret` carrying `claims`.
fn forge(claims: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[actix_web::test]
async fn every_broken_token_is_refused() {
    let app = spawn_app().await;
    let caller = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let genuine = payload(&caller.token);
    let now = Utc::now().timestamp();
    let with = |changes: Value| {
        let mut claims = genuine.clone();
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    };
    let secret = TEST_JWT_SECRET.as_bytes();
    let (head, body, _) = {
        let mut parts = caller.token.split('.');
        (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        )
    };
    let tampered_body = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&with(json!({"role": "admin", "sub": "someone-else"}))).unwrap(),
    );
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);

    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("no scheme", caller.token.clone()),
        (
            "basic",
            format!("Basic {}", URL_SAFE_NO_PAD.encode("admin@example.org:x")),
        ),
        ("bearer without token", "Bearer ".into()),
        ("garbage", "Bearer not.a.jwt".into()),
        ("alg none", format!("Bearer {none_header}.{body}.")),
        (
            "tampered payload",
            format!(
                "Bearer {head}.{tampered_body}.{}",
                caller.token.rsplit('.').next().unwrap()
            ),
        ),
        (
            "wrong key",
            format!(
                "Bearer {}",
                forge(&genuine, b"some other secret that is 32 bytes long")
            ),
        ),
        (
            "expired",
            format!(
                "Bearer {}",
                forge(
                    &with(json!({"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600})),
                    secret
                )
            ),
        ),
        (
            "not yet valid",
            format!(
                "Bearer {}",
                forge(&with(json!({"nbf": now + 3600, "exp": now + 7200})), secret)
            ),
        ),
        (
            "wrong audience",
            format!(
                "Bearer {}",
                forge(&with(json!({"aud": "another-api"})), secret)
            ),
        ),
        (
            "wrong issuer",
            format!("Bearer {}", forge(&with(json!({"iss": "someone"})), secret)),
        ),
        (
            "no expiry",
            format!("Bearer {}", forge(&with(json!({"exp": null})), secret)),
        ),
        (
            "unknown subject",
            format!(
                "Bearer {}",
                forge(
                    &with(json!({"sub": "00000000-0000-7000-8000-000000000000"})),
                    secret
                )
            ),
        ),
        (
            "role raised",
            format!("Bearer {}", forge(&with(json!({"role": "viewer"})), secret)),
        ),
    ];
    for (case, authorization) in cases {
        let response = me(&app, Some(&authorization)).await;
        assert_eq!(response.status().as_u16(), 401, "{case}");
        assert_unauthorized(response).await;
    }
    // The genuine token still works, and no header at all is a 401 too.
    assert_eq!(
        me(&app, Some(&format!("Bearer {}", caller.token)))
            .await
            .status()
            .as_u16(),
        200
    );
    assert_unauthorized(me(&app, None).await).await;
}

#[actix_web::test]
async fn deactivation_and_role_changes_revoke_tokens_at_once() {
    let app = spawn_app().await;
    let admin = app
        .signed_in("admin@example.org", Role::Admin, None, &[])
        .await;
    let viewer = app
        .signed_in("viewer@example.org", Role::Viewer, None, &[])
        .await;
    let bearer = |token: &str| format!("Bearer {token}");
    assert_eq!(
        me(&app, Some(&bearer(&viewer.token)))
            .await
            .status()
            .as_u16(),
        200
    );

    let patch = |body: Value, etag: String| {
        app.request(
            Method::PATCH,
            &format!("/api/v1/users/{}", viewer.id),
            Some(&admin),
        )
        .header("If-Match", etag)
        .json(&body)
        .send()
    };
    let response = patch(
        json!({"role": "coalition_lead", "coalitions": ["gender-based-violence"]}),
        "\"1\"".into(),
    )
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_unauthorized(me(&app, Some(&bearer(&viewer.token))).await).await;
    // A fresh sign-in carries the new role.
    let token = app.sign_in("viewer@example.org", PASSWORD).await;
    assert_eq!(payload(&token)["role"], "coalition_lead");
    let body: Value = me(&app, Some(&bearer(&token))).await.json().await.unwrap();
    assert_eq!(body["coalitions"], json!(["gender-based-violence"]));

    let response = patch(json!({"active": false}), etag).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_unauthorized(me(&app, Some(&bearer(&token))).await).await;
    // A deactivated account cannot sign in, and hears the usual answer.
    assert_problem(
        sign_in(&app, "viewer@example.org", PASSWORD).await,
        401,
        "unauthorized",
    )
    .await;
}

#[actix_web::test]
async fn sign_in_is_rate_limited_per_account() {
    let app = spawn_app().await;
    app.create_account("target@example.org", Role::Admin, None, &[])
        .await;
    // Signing in again and again (a script, a test suite, several tabs)
    // spends nothing of the account's budget...
    for i in 0..15 {
        let status = sign_in(&app, "target@example.org", PASSWORD).await.status();
        assert_eq!(status.as_u16(), 200, "sign-in {i}");
    }
    // ...failures do. Fresh addresses keep the per-address limit out of it.
    let app = spawn_app().await;
    app.create_account("target@example.org", Role::Admin, None, &[])
        .await;
    for _ in 0..10 {
        let status = sign_in(&app, "target@example.org", "Guessing again 1")
            .await
            .status();
        assert_eq!(status.as_u16(), 401);
    }
    // Even the right password waits now.
    let response = sign_in(&app, "target@example.org", PASSWORD).await;
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert_problem(response, 429, "rate_limited").await;
    // Another account from the same address is not locked.
    app.create_account("other@example.org", Role::Viewer, None, &[])
        .await;
    assert_eq!(
        sign_in(&app, "other@example.org", PASSWORD)
            .await
            .status()
            .as_u16(),
        200
    );
}

#[actix_web::test]
async fn sign_in_is_rate_limited_per_address() {
    let app = spawn_app().await;
    for i in 0..20 {
        let status = sign_in(&app, &format!("user{i}@example.org"), "Guessing again 1")
            .await
            .status();
        assert_eq!(status.as_u16(), 401, "attempt {i}");
    }
    let response = sign_in(&app, "user99@example.org", "Guessing again 1").await;
    assert!(response.headers().contains_key("retry-after"));
    assert_problem(response, 429, "rate_limited").await;
}

#[actix_web::test]
async fn a_stranger_guessing_from_elsewhere_cannot_lock_the_owner_out() {
    let app = spawn_app().await;
    app.create_account("admin@example.org", Role::Admin, None, &[])
        .await;
    let attacker = app.client_from("127.0.0.1");
    let owner = app.client_from("127.0.0.2");
    let attempt = |client: &reqwest::Client, password: &str| {
        client
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"email": "admin@example.org", "password": password}))
            .send()
    };
    let mut refused = 0;
    for _ in 0..15 {
        match attempt(&attacker, "Guessing again 1")
            .await
            .unwrap()
            .status()
            .as_u16()
        {
            401 => {}
            429 => refused += 1,
            other => panic!("{other}"),
        }
    }
    assert!(refused >= 5, "the guesser is throttled ({refused} refused)");
    // The guesser is kept out even with the right password...
    assert_problem(
        attempt(&attacker, PASSWORD).await.unwrap(),
        429,
        "rate_limited",
    )
    .await;
    // ...while the owner, elsewhere, signs in.
    let response = attempt(&owner, PASSWORD).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let token: Value = response.json().await.unwrap();
    assert!(token["access_token"].is_string());
}

/// The account's stored password hash, read from the database.
async fn stored_hash(app: &TestApp, email: &'static str) -> String {
    app.db
        .run(
            move |conn| -> Result<String, gef_commitments::db::DbError> {
                Ok(gef_commitments::db::users::find_user_by_email(conn, email)?
                    .unwrap()
                    .password_hash)
            },
        )
        .await
        .unwrap()
}

/// An account whose hash was made with the former parameters (Argon2id at
/// 19 MiB, two passes) signs in with its password, and from then on holds a
/// hash of the current ones (7 MiB, five passes) that still takes it; a
/// wrong password changes nothing.
#[actix_web::test]
async fn a_hash_of_the_former_parameters_is_made_again_at_sign_in() {
    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{PasswordHasher, SaltString};
    use diesel::prelude::*;
    use gef_commitments::db::schema::users;

    const EMAIL: &str = "former@example.org";
    let app = spawn_app().await;
    app.create_account(EMAIL, Role::Viewer, None, &[]).await;
    let former = argon2::Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
    assert!(
        former.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{former}"
    );
    let planted = former.clone();
    app.db
        .run(move |conn| -> Result<usize, gef_commitments::db::DbError> {
            Ok(diesel::update(users::table.filter(users::email.eq(EMAIL)))
                .set(users::password_hash.eq(planted))
                .execute(conn)?)
        })
        .await
        .unwrap();

    assert_eq!(
        sign_in(&app, EMAIL, "Wrong-password-42").await.status(),
        401
    );
    assert_eq!(stored_hash(&app, EMAIL).await, former);

    assert_eq!(sign_in(&app, EMAIL, PASSWORD).await.status(), 200);
    let renewed = stored_hash(&app, EMAIL).await;
    assert!(
        renewed.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{renewed}"
    );
    assert_eq!(sign_in(&app, EMAIL, PASSWORD).await.status(), 200);
    assert_eq!(
        stored_hash(&app, EMAIL).await,
        renewed,
        "made again once only"
    );
    assert_eq!(
        sign_in(&app, EMAIL, "Wrong-password-42").await.status(),
        401
    );
}
