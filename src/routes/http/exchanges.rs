//! Every exchange whole, for an observer that asks to see them: the
//! tests check each request and answer against the committed OpenAPI
//! document this way. Without an observer (a deployment) the layer is not
//! there at all (`startup` adds it only when one is given).
//!
//! It reads a request's whole body before the handler does (and hands it
//! on unchanged) and, for JSON answers, the whole answer before sending
//! it; other answers (pages, CSV and NDJSON exports) stream as ever.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use futures_util::StreamExt;

/// One request and its answer, as sent and received.
#[derive(Debug)]
pub struct Exchange<'a> {
    pub method: &'a Method,
    /// The route's pattern (`/api/v1/commitments/{id}`), when one matched.
    pub pattern: Option<&'a str>,
    pub path: &'a str,
    pub request_type: Option<&'a str>,
    pub request_body: &'a [u8],
    pub status: u16,
    pub response_type: Option<&'a str>,
    /// The answer's body when it is JSON, not compressed (read whole);
    /// `None` otherwise.
    pub response_body: Option<&'a [u8]>,
}

/// Sees every exchange once it is answered.
pub trait ExchangeObserver: Send + Sync {
    fn observe(&self, exchange: &Exchange<'_>);
}

fn content_type(headers: &header::HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|t| {
        let essence = t.split(';').next().unwrap_or_default().trim();
        essence == "application/json" || essence.ends_with("+json")
    })
}

/// The observer, if any (in the app's data).
pub struct Observer(pub Option<std::sync::Arc<dyn ExchangeObserver>>);

/// Reads a request's whole body and hands it on unchanged.
async fn read_body(req: ServiceRequest) -> Result<(ServiceRequest, Bytes), actix_web::Error> {
    let (http, mut payload) = req.into_parts();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        body.extend_from_slice(&chunk?);
    }
    let body = body.freeze();
    Ok((
        ServiceRequest::from_parts(http, Payload::from(body.clone())),
        body,
    ))
}

/// Shows each exchange to the observer kept in the app's data.
pub async fn show_exchanges(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(observer) = req
        .app_data::<web::Data<Observer>>()
        .and_then(|observer| observer.0.clone())
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let (method, path) = (req.method().clone(), req.path().to_owned());
    let request_type = content_type(req.headers());
    let (req, body) = read_body(req).await?;
    let response = next.call(req).await?;
    let pattern = response.request().match_pattern();
    let status = response.status().as_u16();
    let response_type = content_type(response.headers());
    let (response, answer) = read_json_answer(response).await?;
    observer.observe(&Exchange {
        method: &method,
        pattern: pattern.as_deref(),
        path: &path,
        request_type: request_type.as_deref(),
        request_body: &body,
        status,
        response_type: response_type.as_deref(),
        response_body: answer.as_deref(),
    });
    Ok(response)
}

/// A JSON answer read whole (and answered again), or any other as it is.
async fn read_json_answer(
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<(ServiceResponse<BoxBody>, Option<Bytes>), actix_web::Error> {
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    if !is_json(content_type(response.headers()).as_deref()) || encoded {
        return Ok((response.map_into_boxed_body(), None));
    }
    let (response, answer) = read_answer(response).await?;
    Ok((response, Some(answer)))
}

/// Reads an answer's whole body; answers it again, and the body.
async fn read_answer(
    response: ServiceResponse<impl MessageBody + 'static>,
) -> Result<(ServiceResponse<BoxBody>, Bytes), actix_web::Error> {
    let (request, response) = response.into_parts();
    let (response, answer) = response.into_parts();
    let answer: Bytes = actix_web::body::to_bytes(answer)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let response = response.set_body(BoxBody::new(answer.clone()));
    Ok((ServiceResponse::new(request, response), answer))
}
