/* jn-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-types"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-types.h"

static const struct
{
  const char *key;
  const char *label;
} categories[JN_N_CATEGORIES] = {
  { "teachers", N_("Teachers") },
  { "students", N_("Students") },
  { "relatives", N_("Relatives") },
  { "internship_masters", N_("Internship Masters") },
  { "inspectors", N_("Inspectors") },
  { "staff", N_("Staff") },
};

GType
jn_category_get_type (void)
{
  static gsize type_id;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { JN_CATEGORY_TEACHER, "JN_CATEGORY_TEACHER", "teachers" },
        { JN_CATEGORY_STUDENT, "JN_CATEGORY_STUDENT", "students" },
        { JN_CATEGORY_RELATIVE, "JN_CATEGORY_RELATIVE", "relatives" },
        { JN_CATEGORY_INTERNSHIP_MASTER, "JN_CATEGORY_INTERNSHIP_MASTER", "internship-masters" },
        { JN_CATEGORY_INSPECTOR, "JN_CATEGORY_INSPECTOR", "inspectors" },
        { JN_CATEGORY_STAFF, "JN_CATEGORY_STAFF", "staff" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("JnCategory"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

const char *
jn_category_to_key (JnCategory category)
{
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, NULL);

  return categories[category].key;
}

gboolean
jn_category_from_key (const char *key,
                      JnCategory *category)
{
  g_return_val_if_fail (key != NULL, FALSE);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      if (g_str_equal (key, categories[i].key))
        {
          if (category != NULL)
            *category = (JnCategory)i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
jn_category_get_label (JnCategory category)
{
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, NULL);

  return g_dgettext (GETTEXT_PACKAGE, categories[category].label);
}

gboolean
jn_uai_is_valid (const char *uai)
{
  if (uai == NULL || strlen (uai) != 8)
    return FALSE;

  for (guint i = 0; i < 7; i++)
    if (!g_ascii_isdigit (uai[i]))
      return FALSE;

  return g_ascii_isalpha (uai[7]);
}

JnPronoteIdCheck
jn_pronote_id_check (const char *id)
{
  gsize length;
  gboolean unusual = FALSE;

  if (id == NULL || *id == '\0')
    return JN_PRONOTE_ID_INVALID;

  for (length = 0; id[length] != '\0'; length++)
    {
      char c = id[length];

      if (!g_ascii_isdigit (c) && !g_ascii_isupper (c))
        return JN_PRONOTE_ID_INVALID;
      if (strchr (JN_PRONOTE_ID_ALPHABET, c) == NULL)
        unusual = TRUE;
      if (length >= JN_PRONOTE_ID_MAX_LENGTH)
        return JN_PRONOTE_ID_INVALID;
    }

  if (length != JN_PRONOTE_ID_LENGTH)
    unusual = TRUE;

  return unusual ? JN_PRONOTE_ID_UNUSUAL : JN_PRONOTE_ID_WELLFORMED;
}

gboolean
jn_pronote_id_is_wellformed (const char *id)
{
  return jn_pronote_id_check (id) == JN_PRONOTE_ID_WELLFORMED;
}
