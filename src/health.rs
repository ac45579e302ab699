//! Liveness and readiness for load balancers and container health checks: `/healthz` answers
//! while the process serves HTTP; `/readyz` only when the database answers and every migration
//! is applied (503 with the reason otherwise).

use crate::{context::AppContext, db};
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(alive))
        .route("/readyz", web::get().to(ready));
}

async fn alive() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn ready(ctx: web::Data<AppContext>) -> HttpResponse {
    let unready = |reason: String| {
        HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "reason": reason }))
    };
    match ctx.db(db::pending_migrations).await {
        Ok(0) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(n) => unready(format!("{n} database migration(s) not applied")),
        Err(e) => {
            tracing::warn!("readiness: {e:?}");
            unready("the database does not answer".into())
        }
    }
}
