//! `HEAD` is answered as `GET` is, without the body (RFC 9110 §9.3.2):
//! uptime monitors and link checkers use it. The request is routed as a
//! `GET`; the connection leaves the body out of a `HEAD`'s answer and
//! keeps its headers, `Content-Length` included.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// Routes a `HEAD` as the `GET` of the same path.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
