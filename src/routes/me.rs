//! The signed-in caller.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::auth::extractor::denied;
use crate::db::{Db, organizations, users};
use crate::domain::account::Role;
use crate::domain::policy::{Action, authorize};
use crate::error::{ApiError, ApiResult};

/// The caller's organization, for makers.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationRef {
    pub id: String,
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
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization: Option<OrganizationRef>,
    /// The coalitions a lead is scoped to.
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
    authorize(Some(&user.0), Action::ReadOwnAccount).map_err(denied)?;
    let actor = user.0;
    let (account, organization) = db
        .run(move |conn| {
            let account = users::find_user(conn, &actor.user_id)?
                .ok_or_else(|| ApiError::not_found("this account"))?;
            let organization = match &actor.organization_id {
                Some(id) => organizations::find_organization(conn, id)?,
                None => None,
            };
            Ok::<_, ApiError>((account, organization))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Me {
        id: account.user.id,
        email: account.user.email,
        display_name: account.user.display_name,
        role: user_role(&account.user.role)?,
        organization: organization.map(|o| OrganizationRef {
            id: o.id,
            name: o.name,
        }),
        coalitions: account.coalitions,
        active: account.user.active,
    }))
}

fn user_role(role: &str) -> ApiResult<Role> {
    Role::parse(role).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad role {role:?}")))
}
