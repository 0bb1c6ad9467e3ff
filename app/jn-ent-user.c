/* jn-ent-user.c: one user of the ENT directory (a SCIM User resource)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-ent-user"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "jn-ent-user.h"
#include "jn-error.h"
#include "jn-names.h"
#include "jn-text.h"

typedef struct
{
  char *uai;
  char *value;
} PronoteId;

struct _JnEntUser
{
  GObject     parent_instance;

  char       *text;          /* the resource as read (compact JSON), kept for faithful
                                write-back: far lighter than its tree */
  char       *id;
  char       *user_name;
  char       *family_name;
  char       *given_name;
  char       *user_type;
  char       *birth_date;
  char       *version;
  GStrv       structures;
  GStrv       classes;
  GStrv       children;
  GArray     *pronote_ids;   /* PronoteId */
  JsonArray  *raw_ids;       /* pronoteIds as the ENT holds it: sub-attributes and entries
                                we do not understand are written back untouched */
  JnCategory  category;
  guint       has_category : 1;
  guint       active : 1;
};

G_DEFINE_FINAL_TYPE (JnEntUser, jn_ent_user, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_FAMILY_NAME,
  PROP_GIVEN_NAME,
  PROP_BIRTH_DATE,
  PROP_USER_TYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct
{
  const char *compact;
  JnCategory  category;
} user_types[] = {
  { "eleve", JN_CATEGORY_STUDENT },
  { "eleves", JN_CATEGORY_STUDENT },
  { "student", JN_CATEGORY_STUDENT },
  { "enseignant", JN_CATEGORY_TEACHER },
  { "professeur", JN_CATEGORY_TEACHER },
  { "teacher", JN_CATEGORY_TEACHER },
  { "responsable", JN_CATEGORY_RELATIVE },
  { "responsablelegal", JN_CATEGORY_RELATIVE },
  { "parent", JN_CATEGORY_RELATIVE },
  { "relative", JN_CATEGORY_RELATIVE },
  { "maitredestage", JN_CATEGORY_INTERNSHIP_MASTER },
  { "maitrestage", JN_CATEGORY_INTERNSHIP_MASTER },
  { "tuteur", JN_CATEGORY_INTERNSHIP_MASTER },
  { "inspecteur", JN_CATEGORY_INSPECTOR },
  { "inspecteurpedagogique", JN_CATEGORY_INSPECTOR },
  { "inspector", JN_CATEGORY_INSPECTOR },
  { "personnel", JN_CATEGORY_STAFF },
  { "nonenseignant", JN_CATEGORY_STAFF },
  { "staff", JN_CATEGORY_STAFF },
};

gboolean
jn_category_from_user_type (const char *user_type,
                            JnCategory *category)
{
  g_autofree char *compact = NULL;

  if (user_type == NULL)
    return FALSE;

  compact = jn_names_compact (user_type);
  for (guint i = 0; i < G_N_ELEMENTS (user_types); i++)
    {
      if (g_str_equal (compact, user_types[i].compact))
        {
          *category = user_types[i].category;
          return TRUE;
        }
    }

  return FALSE;
}

static void
pronote_id_clear (gpointer data)
{
  PronoteId *id = data;

  g_free (id->uai);
  g_free (id->value);
}

static void
jn_ent_user_finalize (GObject *object)
{
  JnEntUser *self = (JnEntUser *)object;

  g_free (self->text);
  g_free (self->id);
  g_free (self->user_name);
  g_free (self->family_name);
  g_free (self->given_name);
  g_free (self->user_type);
  g_free (self->birth_date);
  g_free (self->version);
  g_strfreev (self->structures);
  g_strfreev (self->classes);
  g_strfreev (self->children);
  g_clear_pointer (&self->pronote_ids, g_array_unref);
  g_clear_pointer (&self->raw_ids, json_array_unref);

  G_OBJECT_CLASS (jn_ent_user_parent_class)->finalize (object);
}

static void
jn_ent_user_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  JnEntUser *self = JN_ENT_USER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_FAMILY_NAME:
      g_value_set_string (value, jn_ent_user_get_family_name (self));
      break;

    case PROP_GIVEN_NAME:
      g_value_set_string (value, jn_ent_user_get_given_name (self));
      break;

    case PROP_BIRTH_DATE:
      g_value_set_string (value, self->birth_date);
      break;

    case PROP_USER_TYPE:
      g_value_set_string (value, self->user_type);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_ent_user_class_init (JnEntUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = jn_ent_user_finalize;
  object_class->get_property = jn_ent_user_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_FAMILY_NAME] = g_param_spec_string ("family-name", NULL, NULL, NULL, flags);
  properties[PROP_GIVEN_NAME] = g_param_spec_string ("given-name", NULL, NULL, NULL, flags);
  properties[PROP_BIRTH_DATE] = g_param_spec_string ("birth-date", NULL, NULL, NULL, flags);
  properties[PROP_USER_TYPE] = g_param_spec_string ("user-type", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jn_ent_user_init (JnEntUser *self)
{
  self->pronote_ids = g_array_new (FALSE, TRUE, sizeof (PronoteId));
  g_array_set_clear_func (self->pronote_ids, pronote_id_clear);
  self->active = TRUE;
}

static char *
dup_member_string (JsonObject *object,
                   const char *member)
{
  JsonNode *node;
  const char *value;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  value = json_node_get_string (node);
  if (value == NULL || *value == '\0')
    return NULL;

  return g_strdup (value);
}

static JsonObject *
get_member_object (JsonObject *object,
                   const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

static JsonArray *
get_member_array (JsonObject *object,
                  const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

/* Multi-valued strings, also tolerated as [{"value": …}] */
static GStrv
dup_string_list (JsonObject *object,
                 const char *member)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = get_member_array (object, member);
  guint n = array ? json_array_get_length (array) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *value = NULL;

      if (JSON_NODE_HOLDS_OBJECT (element))
        value = dup_member_string (json_node_get_object (element), "value");
      else if (json_node_get_value_type (element) == G_TYPE_STRING)
        value = g_strdup (json_node_get_string (element));

      if (value != NULL && *value != '\0')
        g_strv_builder_add (builder, value);
    }

  return g_strv_builder_end (builder);
}

/* json_node_copy() shares objects and arrays; the write-back must not touch the original */
static JsonNode *
deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(JsonObject) copy = json_object_new ();
      JsonObjectIter iter;
      const char *member;
      JsonNode *value;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &member, &value))
        json_object_set_member (copy, member, deep_copy (value));

      return json_node_init_object (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, deep_copy (json_array_get_element (array, i)));

      return json_node_init_array (json_node_alloc (), copy);
    }

  return json_node_copy (node);
}

JnEntUser *
jn_ent_user_new_from_json (JsonObject  *object,
                           const char  *extension_urn,
                           GError     **error)
{
  g_autoptr(JnEntUser) self = NULL;
  JsonObject *name, *meta, *extension;
  JsonArray *pronote_ids;
  JsonNode *active;

  g_return_val_if_fail (object != NULL, NULL);

  if (extension_urn == NULL)
    extension_urn = JN_DEFAULT_EXTENSION_URN;

  self = g_object_new (JN_TYPE_ENT_USER, NULL);
  self->id = dup_member_string (object, "id");
  if (self->id == NULL)
    {
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_FILE, _("a user has no “id”"));
      return NULL;
    }
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

    self->text = json_to_string (node, FALSE);
  }

  self->user_name = dup_member_string (object, "userName");
  self->user_type = dup_member_string (object, "userType");
  self->has_category = jn_category_from_user_type (self->user_type, &self->category);

  name = get_member_object (object, "name");
  self->family_name = dup_member_string (name, "familyName");
  self->given_name = dup_member_string (name, "givenName");

  meta = get_member_object (object, "meta");
  self->version = dup_member_string (meta, "version");

  active = json_object_get_member (object, "active");
  if (active != NULL && json_node_get_value_type (active) == G_TYPE_BOOLEAN)
    self->active = json_node_get_boolean (active);

  extension = get_member_object (object, extension_urn);
  self->birth_date = dup_member_string (extension, "birthDate");
  self->structures = dup_string_list (extension, "structures");
  self->classes = dup_string_list (extension, "classes");
  self->children = dup_string_list (extension, "children");

  pronote_ids = get_member_array (extension, "pronoteIds");
  if (pronote_ids != NULL)
    {
      g_autoptr(JsonNode) raw = json_node_init_array (json_node_alloc (), pronote_ids);
      g_autoptr(JsonNode) copy = deep_copy (raw);

      self->raw_ids = json_array_ref (json_node_get_array (copy));
    }
  else
    {
      self->raw_ids = json_array_new ();
    }
  for (guint i = 0; pronote_ids && i < json_array_get_length (pronote_ids); i++)
    {
      JsonNode *element = json_array_get_element (pronote_ids, i);
      PronoteId id = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      id.uai = dup_member_string (json_node_get_object (element), "uai");
      id.value = dup_member_string (json_node_get_object (element), "value");
      if (id.uai == NULL || id.value == NULL)
        {
          pronote_id_clear (&id);
          continue;
        }
      g_array_append_val (self->pronote_ids, id);
    }

  return g_steal_pointer (&self);
}

JsonNode *
jn_ent_user_to_json (JnEntUser  *self,
                     const char *extension_urn)
{
  g_autoptr(JsonNode) copy = NULL;
  g_autoptr(JsonArray) ids = NULL;
  JsonObject *object, *extension, *meta;

  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);

  if (extension_urn == NULL)
    extension_urn = JN_DEFAULT_EXTENSION_URN;

  /* Our own compact text of a document already checked: parsed anew, a private copy */
  copy = json_from_string (self->text, NULL);
  if (copy == NULL || !JSON_NODE_HOLDS_OBJECT (copy))
    {
      g_clear_pointer (&copy, json_node_unref);
      copy = json_node_init_object (json_node_alloc (), json_object_new ());
      json_object_set_string_member (json_node_get_object (copy), "id", self->id);
    }
  object = json_node_get_object (copy);

  extension = get_member_object (object, extension_urn);
  if (extension == NULL)
    {
      extension = json_object_new ();
      json_object_set_object_member (object, extension_urn, extension);
    }

  ids = jn_ent_user_pronote_ids_to_json (self);
  json_object_set_array_member (extension, "pronoteIds", g_steal_pointer (&ids));

  if (self->version != NULL)
    {
      meta = get_member_object (object, "meta");
      if (meta == NULL)
        {
          meta = json_object_new ();
          json_object_set_object_member (object, "meta", meta);
        }
      json_object_set_string_member (meta, "version", self->version);
    }

  return g_steal_pointer (&copy);
}

JsonArray *
jn_ent_user_pronote_ids_to_json (JnEntUser *self)
{
  g_autoptr(JsonNode) raw = NULL;
  g_autoptr(JsonNode) copy = NULL;

  g_return_val_if_fail (JN_IS_ENT_USER (self), json_array_new ());

  raw = json_node_init_array (json_node_alloc (), self->raw_ids);
  copy = deep_copy (raw);

  return json_array_ref (json_node_get_array (copy));
}

const char *
jn_ent_user_get_id (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->id;
}

const char *
jn_ent_user_get_user_name (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->user_name;
}

const char *
jn_ent_user_get_family_name (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->family_name ? self->family_name : "";
}

const char *
jn_ent_user_get_given_name (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->given_name ? self->given_name : "";
}

const char *
jn_ent_user_get_user_type (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->user_type;
}

gboolean
jn_ent_user_get_category (JnEntUser  *self,
                          JnCategory *category)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), FALSE);

  if (self->has_category && category != NULL)
    *category = self->category;

  return self->has_category;
}

const char *
jn_ent_user_get_birth_date (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->birth_date;
}

const char *
jn_ent_user_get_version (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return self->version;
}

void
jn_ent_user_set_version (JnEntUser  *self,
                         const char *version)
{
  g_return_if_fail (JN_IS_ENT_USER (self));

  if (g_strcmp0 (self->version, version) != 0)
    {
      g_free (self->version);
      self->version = g_strdup (version);
    }
}

gboolean
jn_ent_user_get_active (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), FALSE);
  return self->active;
}

const char * const *
jn_ent_user_get_structures (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return (const char * const *)self->structures;
}

const char * const *
jn_ent_user_get_classes (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return (const char * const *)self->classes;
}

const char * const *
jn_ent_user_get_children (JnEntUser *self)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);
  return (const char * const *)self->children;
}

gboolean
jn_ent_user_belongs_to (JnEntUser  *self,
                        const char *uai)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), FALSE);

  for (guint i = 0; self->structures[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->structures[i], uai) == 0)
      return TRUE;

  return FALSE;
}

gboolean
jn_ent_user_has_child (JnEntUser  *self,
                       const char *child_id)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), FALSE);

  return g_strv_contains ((const char * const *)self->children, child_id);
}

const char *
jn_ent_user_get_pronote_id (JnEntUser  *self,
                            const char *uai)
{
  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);

  for (guint i = 0; i < self->pronote_ids->len; i++)
    {
      PronoteId *id = &g_array_index (self->pronote_ids, PronoteId, i);

      if (g_ascii_strcasecmp (id->uai, uai) == 0)
        return id->value;
    }

  return NULL;
}

static gboolean
is_entry_for (JsonNode   *entry,
              const char *uai)
{
  const char *entry_uai;

  if (!JSON_NODE_HOLDS_OBJECT (entry))
    return FALSE;

  entry_uai = json_object_get_string_member_with_default (json_node_get_object (entry), "uai", NULL);
  return entry_uai != NULL && g_ascii_strcasecmp (entry_uai, uai) == 0;
}

guint
jn_ent_user_count_pronote_ids (JnEntUser  *self,
                               const char *uai)
{
  guint n = 0;

  g_return_val_if_fail (JN_IS_ENT_USER (self), 0);
  g_return_val_if_fail (uai != NULL, 0);

  for (guint i = 0; i < json_array_get_length (self->raw_ids); i++)
    if (is_entry_for (json_array_get_element (self->raw_ids, i), uai))
      n++;

  return n;
}

void
jn_ent_user_set_pronote_id (JnEntUser  *self,
                            const char *uai,
                            const char *pronote_id)
{
  gboolean kept = FALSE;

  g_return_if_fail (JN_IS_ENT_USER (self));
  g_return_if_fail (uai != NULL);

  for (guint i = self->pronote_ids->len; i > 0; i--)
    if (g_ascii_strcasecmp (g_array_index (self->pronote_ids, PronoteId, i - 1).uai, uai) == 0)
      g_array_remove_index (self->pronote_ids, i - 1);

  if (pronote_id != NULL)
    {
      PronoteId id = { g_strdup (uai), g_strdup (pronote_id) };

      g_array_append_val (self->pronote_ids, id);
    }

  /* The same in the raw attribute: the first entry of this establishment keeps its other
   * sub-attributes, any duplicate goes */
  for (guint i = 0; i < json_array_get_length (self->raw_ids); )
    {
      JsonNode *entry = json_array_get_element (self->raw_ids, i);

      if (!is_entry_for (entry, uai))
        {
          i++;
          continue;
        }

      if (pronote_id != NULL && !kept)
        {
          json_object_set_string_member (json_node_get_object (entry), "value", pronote_id);
          kept = TRUE;
          i++;
        }
      else
        {
          json_array_remove_element (self->raw_ids, i);
        }
    }

  if (pronote_id != NULL && !kept)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "uai", uai);
      json_object_set_string_member (entry, "value", pronote_id);
      json_array_add_object_element (self->raw_ids, entry);
    }
}

/* The same account as a new object of its own (what the JSON round trip gives, without
 * its cost): a directory handed out keeps no link with the one it came from */
JnEntUser *
jn_ent_user_copy (JnEntUser *self)
{
  JnEntUser *copy;

  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);

  copy = g_object_new (JN_TYPE_ENT_USER, NULL);
  copy->text = g_strdup (self->text);
  copy->id = g_strdup (self->id);
  copy->user_name = g_strdup (self->user_name);
  copy->family_name = g_strdup (self->family_name);
  copy->given_name = g_strdup (self->given_name);
  copy->user_type = g_strdup (self->user_type);
  copy->birth_date = g_strdup (self->birth_date);
  copy->version = g_strdup (self->version);
  copy->structures = g_strdupv (self->structures);
  copy->classes = g_strdupv (self->classes);
  copy->children = g_strdupv (self->children);
  for (guint i = 0; i < self->pronote_ids->len; i++)
    {
      const PronoteId *id = &g_array_index (self->pronote_ids, PronoteId, i);
      PronoteId dup = { g_strdup (id->uai), g_strdup (id->value) };

      g_array_append_val (copy->pronote_ids, dup);
    }
  {
    g_autoptr(JsonNode) raw = json_node_init_array (json_node_alloc (), self->raw_ids);
    g_autoptr(JsonNode) raw_copy = deep_copy (raw);

    g_clear_pointer (&copy->raw_ids, json_array_unref);
    copy->raw_ids = json_array_ref (json_node_get_array (raw_copy));
  }
  copy->category = self->category;
  copy->has_category = self->has_category;
  copy->active = self->active;

  return copy;
}

char *
jn_ent_user_dup_display_name (JnEntUser *self)
{
  g_autofree char *family = NULL;

  g_return_val_if_fail (JN_IS_ENT_USER (self), NULL);

  family = g_utf8_strup (jn_ent_user_get_family_name (self), -1);

  /* As the ENT and PRONOTE write it: "DUPONT Léa". A name the server sends with controls
   * (a right-to-left override would turn the rest of a message around it) is shown with
   * them written out, in the window as in the CLI. */
  {
    g_autofree char *name = g_strdup_printf ("%s %s", family, jn_ent_user_get_given_name (self));

    return jn_text_escape_for_terminal (name);
  }
}
