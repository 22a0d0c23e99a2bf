//! Exports over HTTP: the commitments a caller may see, streamed.

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::commitments::dto::CommitmentQuery;
use super::http::today::Today;
use crate::db::Db;
use crate::domain::policy::Visibility;
use crate::error::{ApiError, ApiResult};
use crate::exports::{Export, Format, file_name};
use crate::routes::http::extractor::MaybeAuthUser;

/// The formats an export comes in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
    Ndjson,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (the default), `json` or `ndjson`.
    #[param(value_type = Option<ExportFormat>)]
    pub format: Option<String>,
}

/// Every commitment the caller may see (public ones for anyone) that
/// matches the list filters, newest first, streamed as it is read: CSV
/// (RFC 4180, a header row, one row per commitment, lists joined by "; ",
/// money as decimal strings, text a spreadsheet would run as a formula
/// prefixed with `'`), a JSON array, or NDJSON. Memory does not grow with
/// the export's size.
#[utoipa::path(
    tag = "figures",
    operation_id = "export_commitments",
    params(ExportQuery, CommitmentQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The export, as an attachment",
            content(("text/csv"), ("application/json"), ("application/x-ndjson")),
            headers(("Content-Disposition" = String))),
    )
)]
#[get("/exports/commitments")]
pub async fn export_commitments(
    db: web::Data<Db>,
    today: Today,
    user: MaybeAuthUser,
    format: web::Query<ExportQuery>,
    query: web::Query<CommitmentQuery>,
) -> ApiResult<HttpResponse> {
    let format = match format.into_inner().format.as_deref() {
        None => Format::Csv,
        Some(f) => Format::parse(f)
            .ok_or_else(|| ApiError::BadRequest("format is csv, json or ndjson".into()))?,
    };
    let filter = query
        .into_inner()
        .into_filter(today.0)
        .map_err(|e| ApiError::BadRequest(e.message))?;
    let visibility = Visibility::of(user.0.as_ref());
    let export = Export::new(db.get_ref().clone(), today.0, visibility, filter, format);
    let body = streamed(export).await?;
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(file_name(format, today.0))],
        })
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}

/// The export as a stream of its chunks. The first page decides the
/// answer, so that a failure there is still a problem; one after it cuts
/// the stream short.
async fn streamed(
    mut export: Export,
) -> ApiResult<impl futures_util::Stream<Item = Result<Bytes, ApiError>>> {
    let first = export
        .next_chunk()
        .await
        .transpose()?
        .map(|(bytes, _)| bytes);
    let rest = stream::unfold(export, |mut export| async move {
        let chunk = export.next_chunk().await?;
        Some((
            chunk
                .map(|(bytes, _)| Bytes::from(bytes))
                .map_err(ApiError::from),
            export,
        ))
    });
    Ok(stream::iter(first.map(|bytes| Ok::<_, ApiError>(Bytes::from(bytes)))).chain(rest))
}
