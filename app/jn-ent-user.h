/* jn-ent-user.h: one user of the ENT directory (a SCIM User resource)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "jn-types.h"

G_BEGIN_DECLS

#define JN_DEFAULT_EXTENSION_URN "urn:ietf:params:scim:schemas:extension:ent:2.0:User"

#define JN_TYPE_ENT_USER (jn_ent_user_get_type ())
G_DECLARE_FINAL_TYPE (JnEntUser, jn_ent_user, JN, ENT_USER, GObject)

/* Reads a SCIM User object; returns NULL (with @error) when it has no id */
JnEntUser    *jn_ent_user_new_from_json         (JsonObject   *object,
                                                 const char   *extension_urn,
                                                 GError      **error);
/* Serialises back to a SCIM User object (for the embedded file directory) */
JsonNode     *jn_ent_user_to_json               (JnEntUser    *self,
                                                 const char   *extension_urn);

/* [{"uai": …, "value": …}, …]: the whole multi-valued attribute */
JsonArray    *jn_ent_user_pronote_ids_to_json   (JnEntUser    *self);
const char   *jn_ent_user_get_id                (JnEntUser    *self);
const char   *jn_ent_user_get_user_name         (JnEntUser    *self);
const char   *jn_ent_user_get_family_name       (JnEntUser    *self);
const char   *jn_ent_user_get_given_name        (JnEntUser    *self);
const char   *jn_ent_user_get_user_type         (JnEntUser    *self);
/* FALSE when userType names none of the six categories */
gboolean      jn_ent_user_get_category          (JnEntUser    *self,
                                                 JnCategory   *category);
const char   *jn_ent_user_get_birth_date        (JnEntUser    *self);
const char   *jn_ent_user_get_version           (JnEntUser    *self);
gboolean      jn_ent_user_get_active            (JnEntUser    *self);
const char * const *jn_ent_user_get_structures  (JnEntUser    *self);
const char * const *jn_ent_user_get_classes     (JnEntUser    *self);
/* ENT ids of the user's children */
const char * const *jn_ent_user_get_children    (JnEntUser    *self);
gboolean      jn_ent_user_belongs_to            (JnEntUser    *self,
                                                 const char   *uai);
gboolean      jn_ent_user_has_child             (JnEntUser    *self,
                                                 const char   *child_id);
/* The PRONOTE identifier held for @uai, or NULL */
const char   *jn_ent_user_get_pronote_id        (JnEntUser    *self,
                                                 const char   *uai);
/* How many entries of pronoteIds name @uai, as the ENT holds them (more than one: a
 * duplicate left by concurrent writers) */
guint         jn_ent_user_count_pronote_ids     (JnEntUser    *self,
                                                 const char   *uai);
/* Sets (or with NULL removes) the identifier for @uai */
void          jn_ent_user_set_pronote_id        (JnEntUser    *self,
                                                 const char   *uai,
                                                 const char   *pronote_id);
void          jn_ent_user_set_version           (JnEntUser    *self,
                                                 const char   *version);
JnEntUser    *jn_ent_user_copy                  (JnEntUser    *self);
/* "FAMILY Given" */
char         *jn_ent_user_dup_display_name      (JnEntUser    *self);

/* userType → category, accepting case, accent and vocabulary variants */
gboolean      jn_category_from_user_type        (const char   *user_type,
                                                 JnCategory   *category);

G_END_DECLS
