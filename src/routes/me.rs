//! The signed-in caller.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::accounts;
use crate::db::Db;
use crate::domain::account::Role;
use crate::error::ApiResult;
use crate::routes::http::extractor::AuthUser;
use crate::wire::text::{Id, Slug};

/// The caller's organization, for makers.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(max_length = 300)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a1c4-7f1e-7b2a-9d3e-2f4a5b6c7d90",
    "email": "sokha@digitalsisters.example.org",
    "display_name": "Sokha Chan",
    "role": "maker",
    "organization": {"id": "0193a1c4-7f1e-7b2a-9d3e-2f4a5b6c7d8e", "name": "Digital Sisters Cambodia"},
    "coalitions": [],
    "active": true
}))]
pub struct Me {
    #[schema(value_type = Id)]
    pub id: String,
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 200)]
    pub display_name: String,
    pub role: Role,
    pub organization: Option<OrganizationRef>,
    /// The coalitions a lead is scoped to.
    #[schema(value_type = Vec<Slug>, max_items = 7)]
    pub coalitions: Vec<String>,
    pub active: bool,
}

/// Who the bearer token belongs to: role, organization, coalitions.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
    )
)]
#[get("/me")]
pub async fn get_me(db: web::Data<Db>, user: AuthUser) -> ApiResult<HttpResponse> {
    let (account, organization) = accounts::me(&db, user.0).await?;
    Ok(HttpResponse::Ok().json(Me {
        id: account.user.id,
        email: account.user.email,
        display_name: account.user.display_name,
        role: account.user.role,
        organization: organization.map(|o| OrganizationRef {
            id: o.id,
            name: o.name,
        }),
        coalitions: account.coalitions,
        active: account.user.active,
    }))
}
