#pragma once
// The caller's own activities (JWT or API key; every route is scoped to the caller's tenant and user):
//   POST   /api/activities/import?filename=NAME   raw FIT/GPX/TCX body, or multipart/form-data with the file in the
//                                                 field "file" → 201 {activities:[…status…], warnings}
//                                                 (200 when every session was already stored)
//   GET    /api/activities?limit&cursor&sport_type&after&before&provider   → {activities:[…], next_cursor}
//   GET    /api/activities/totals?period=week|month|year&sport_type&after&before → {period, totals:[…]}
//   GET    /api/activities/{id}[?streams=true]    → {activity[, streams]}
//   DELETE /api/activities/{id}                   → {deleted:true}
// `after` / `before` are RFC 3339 times or dates; `provider` is the activity's source ("file", "demo", "strava"…).

#include "pierre/activity/service.hpp"
#include "pierre/http/router.hpp"

namespace pierre::rest {

void register_activity_routes(http::Router& router, activity::Service& activities);

}  // namespace pierre::rest
