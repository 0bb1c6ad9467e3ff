/* jn-record-reader.c: the tolerant reader of PRONOTE cleartext exports
 *
 * The identifiers export has no published schema, so any root and namespace is accepted:
 * a person record is an element of a known local name that carries an IDPN or both Nom and
 * Prenom; an element with only Ident is a reference (timetable courses hold many).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-record-reader"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-person.h"
#include "jn-record-reader.h"

#define CANCEL_CHECK_INTERVAL 4096

static const struct
{
  const char *element;
  JnCategory  category;
} element_categories[] = {
  { "Professeur", JN_CATEGORY_TEACHER },
  { "Enseignant", JN_CATEGORY_TEACHER },
  { "Eleve", JN_CATEGORY_STUDENT },
  { "Responsable", JN_CATEGORY_RELATIVE },
  { "MaitreDeStage", JN_CATEGORY_INTERNSHIP_MASTER },
  { "MaitreStage", JN_CATEGORY_INTERNSHIP_MASTER },
  { "InspecteurPedagogique", JN_CATEGORY_INSPECTOR },
  { "Inspecteur", JN_CATEGORY_INSPECTOR },
  { "Personnel", JN_CATEGORY_STAFF },
};

typedef struct
{
  char *ident;
  char *family_name;
  char *given_name;
  char *birth_date;
  char *civility;
  char *legal_rank;
  char *pronote_id;
  char *cas_id;
} Attributes;

typedef struct
{
  int       depth;
  JnPerson *person;   /* borrowed from the data's arrays */
} Open;

typedef struct
{
  JnPerson *relative;
  char     *student_ident;
} PendingLink;

typedef struct
{
  JnExportData *data;
  GHashTable   *index[JN_N_CATEGORIES];  /* "p:IDPN" / "i:Ident" → JnPerson (borrowed) */
  GArray       *open;                    /* Open: person elements enclosing the cursor */
  GArray       *pending;                 /* PendingLink */
} ReadState;

JnExportData *
jn_export_data_new (void)
{
  JnExportData *data = g_new0 (JnExportData, 1);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    data->records[i] = g_ptr_array_new_with_free_func (g_object_unref);

  return data;
}

void
jn_export_data_free (JnExportData *data)
{
  if (data == NULL)
    return;

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    g_clear_pointer (&data->records[i], g_ptr_array_unref);
  g_strfreev (data->partners);
  g_free (data->partner);
  g_free (data->uai);
  g_free (data->establishment);
  g_free (data->exported_at);
  g_free (data->software);
  g_free (data->file_hash);
  g_free (data);
}

static void
attributes_clear (Attributes *attrs)
{
  g_free (attrs->ident);
  g_free (attrs->family_name);
  g_free (attrs->given_name);
  g_free (attrs->birth_date);
  g_free (attrs->civility);
  g_free (attrs->legal_rank);
  g_free (attrs->pronote_id);
  g_free (attrs->cas_id);
  memset (attrs, 0, sizeof *attrs);
}

static void
pending_link_clear (gpointer data)
{
  PendingLink *link = data;

  g_free (link->student_ident);
}

static gboolean
category_for_element (const char *name,
                      JnCategory *category)
{
  for (guint i = 0; i < G_N_ELEMENTS (element_categories); i++)
    {
      if (g_ascii_strcasecmp (name, element_categories[i].element) == 0)
        {
          *category = element_categories[i].category;
          return TRUE;
        }
    }

  return FALSE;
}

/* Trimmed copy, or NULL when blank */
static char *
dup_value (const char *value)
{
  char *copy;

  if (value == NULL)
    return NULL;

  copy = g_strstrip (g_strdup (value));
  if (copy[0] == '\0')
    g_clear_pointer (&copy, g_free);

  return copy;
}

static void
collect_attribute_cb (const char *name,
                      const char *value,
                      gpointer    user_data)
{
  Attributes *attrs = user_data;
  char **field = NULL;

  /* Attribute names are compared case-insensitively: older files write "IdPN". */
  if (g_ascii_strcasecmp (name, "Ident") == 0)
    field = &attrs->ident;
  else if (g_ascii_strcasecmp (name, "Nom") == 0)
    field = &attrs->family_name;
  else if (g_ascii_strcasecmp (name, "Prenom") == 0)
    field = &attrs->given_name;
  else if (g_ascii_strcasecmp (name, "DateNaissance") == 0)
    field = &attrs->birth_date;
  else if (g_ascii_strcasecmp (name, "Civilite") == 0)
    field = &attrs->civility;
  else if (g_ascii_strcasecmp (name, "RespLegal") == 0)
    field = &attrs->legal_rank;
  else if (g_ascii_strcasecmp (name, "IDPN") == 0)
    field = &attrs->pronote_id;
  else if (g_ascii_strcasecmp (name, "IDCAS") == 0)
    field = &attrs->cas_id;

  if (field != NULL && *field == NULL)
    *field = dup_value (value);
}

char *
jn_record_reader_parse_date (const char *text)
{
  guint year = 0, month = 0, day = 0;
  char tail;

  if (text == NULL)
    return NULL;

  while (g_ascii_isspace (*text))
    text++;

  if (sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &tail) >= 3 &&
      g_ascii_isdigit (text[0]) && text[4] == '-')
    ;
  else if (sscanf (text, "%2u/%2u/%4u%c", &day, &month, &year, &tail) >= 3 &&
           g_ascii_isdigit (text[0]) && (text[2] == '/' || text[1] == '/'))
    ;
  else
    return NULL;

  if (year < 1900 || year > 2200 || !g_date_valid_dmy (day, month, year))
    return NULL;

  return g_strdup_printf ("%04u-%02u-%02u", year, month, day);
}

static void
fill_missing (JnPerson   *person,
              Attributes *attrs)
{
  if (jn_person_get_pronote_id (person) == NULL)
    jn_person_set_pronote_id (person, attrs->pronote_id);
  if (jn_person_get_cas_id (person) == NULL)
    jn_person_set_cas_id (person, attrs->cas_id);
  if (jn_person_get_ident (person) == NULL)
    jn_person_set_ident (person, attrs->ident);
  if (*jn_person_get_family_name (person) == '\0')
    jn_person_set_family_name (person, attrs->family_name);
  if (*jn_person_get_given_name (person) == '\0')
    jn_person_set_given_name (person, attrs->given_name);
  if (jn_person_get_birth_date (person) == NULL)
    {
      g_autofree char *date = jn_record_reader_parse_date (attrs->birth_date);

      jn_person_set_birth_date (person, date);
    }
  if (jn_person_get_civility (person) == NULL)
    jn_person_set_civility (person, attrs->civility);
  if (jn_person_get_legal_rank (person) == 0 && attrs->legal_rank != NULL)
    {
      guint64 rank = 0;

      if (g_ascii_string_to_unsigned (attrs->legal_rank, 10, 0, 9, &rank, NULL))
        jn_person_set_legal_rank (person, (guint)rank);
    }
}

/* One person per IDPN (else per Ident) and category: a parent listed under each child is
 * one parent with several children. */
static JnPerson *
find_or_add_person (ReadState  *state,
                    JnCategory  category,
                    Attributes *attrs)
{
  GHashTable *index = state->index[category];
  g_autofree char *pn_key = attrs->pronote_id ? g_strconcat ("p:", attrs->pronote_id, NULL) : NULL;
  g_autofree char *ident_key = attrs->ident ? g_strconcat ("i:", attrs->ident, NULL) : NULL;
  JnPerson *person = NULL;

  if (pn_key != NULL)
    person = g_hash_table_lookup (index, pn_key);

  if (person == NULL && ident_key != NULL)
    {
      JnPerson *same_ident = g_hash_table_lookup (index, ident_key);

      if (same_ident != NULL && (attrs->pronote_id == NULL ||
                                 jn_person_get_pronote_id (same_ident) == NULL))
        person = same_ident;
    }

  if (person == NULL)
    {
      person = jn_person_new (category);
      g_ptr_array_add (state->data->records[category], person);
    }

  fill_missing (person, attrs);

  if (pn_key != NULL && !g_hash_table_contains (index, pn_key))
    g_hash_table_insert (index, g_steal_pointer (&pn_key), person);
  if (ident_key != NULL && !g_hash_table_contains (index, ident_key))
    g_hash_table_insert (index, g_steal_pointer (&ident_key), person);

  return person;
}

static JnPerson *
nearest_open (ReadState  *state,
              JnCategory  category)
{
  for (guint i = state->open->len; i > 0; i--)
    {
      Open *open = &g_array_index (state->open, Open, i - 1);

      if (jn_person_get_category (open->person) == category)
        return open->person;
    }

  return NULL;
}

static void
read_root_attribute_cb (const char *name,
                        const char *value,
                        gpointer    user_data)
{
  JnExportData *data = user_data;
  char **field = NULL;

  if (g_ascii_strcasecmp (name, "UAI") == 0)
    {
      /* The cleartext's own UAI wins over the envelope's. */
      g_autofree char *uai = dup_value (value);

      if (uai != NULL)
        {
          g_free (data->uai);
          data->uai = g_steal_pointer (&uai);
        }
      return;
    }

  if (g_ascii_strcasecmp (name, "NomEtablissement") == 0)
    field = &data->establishment;
  else if (g_ascii_strcasecmp (name, "DateExport") == 0 ||
           g_ascii_strcasecmp (name, "DateHeure") == 0)
    field = &data->exported_at;
  else if (g_ascii_strcasecmp (name, "Logiciel") == 0)
    field = &data->software;

  if (field != NULL && *field == NULL)
    *field = dup_value (value);
}

static void
read_element (ReadState   *state,
              JnXmlReader *reader,
              const char  *name)
{
  xmlTextReaderPtr xml = jn_xml_reader_get_reader (reader);
  Attributes attrs = { 0 };
  JnCategory category;
  JnPerson *person;

  if (!category_for_element (name, &category))
    return;

  jn_xml_reader_foreach_attribute (reader, collect_attribute_cb, &attrs);

  if (attrs.pronote_id == NULL && (attrs.family_name == NULL || attrs.given_name == NULL))
    {
      /* A reference. Inside a top-level relative, a student reference names a child. */
      JnPerson *relative;

      if (category == JN_CATEGORY_STUDENT && attrs.ident != NULL &&
          (relative = nearest_open (state, JN_CATEGORY_RELATIVE)) != NULL)
        {
          PendingLink link = { relative, g_steal_pointer (&attrs.ident) };

          g_array_append_val (state->pending, link);
        }
      attributes_clear (&attrs);
      return;
    }

  person = find_or_add_person (state, category, &attrs);
  attributes_clear (&attrs);

  if (category == JN_CATEGORY_RELATIVE)
    {
      JnPerson *student = nearest_open (state, JN_CATEGORY_STUDENT);

      if (student != NULL)
        jn_person_add_child (person, student);
    }
  else if (category == JN_CATEGORY_STUDENT)
    {
      JnPerson *relative = nearest_open (state, JN_CATEGORY_RELATIVE);

      if (relative != NULL)
        jn_person_add_child (relative, person);
    }

  if (!xmlTextReaderIsEmptyElement (xml))
    {
      Open open = { xmlTextReaderDepth (xml), person };

      g_array_append_val (state->open, open);
    }
}

static void
resolve_pending_links (ReadState *state)
{
  GHashTable *students = state->index[JN_CATEGORY_STUDENT];

  for (guint i = 0; i < state->pending->len; i++)
    {
      PendingLink *link = &g_array_index (state->pending, PendingLink, i);
      g_autofree char *key = g_strconcat ("i:", link->student_ident, NULL);
      JnPerson *student = g_hash_table_lookup (students, key);

      if (student != NULL)
        jn_person_add_child (link->relative, student);
    }
}

gboolean
jn_record_reader_read_from (JnXmlReader   *reader,
                            const char    *display_name,
                            JnExportData  *data,
                            GCancellable  *cancellable,
                            GError       **error)
{
  xmlTextReaderPtr xml = jn_xml_reader_get_reader (reader);
  g_autoptr(GError) local_error = NULL;
  ReadState state = { data, { NULL }, NULL, NULL };
  gboolean ok = TRUE;
  guint n_nodes = 0;
  const char *name;

  g_return_val_if_fail (data != NULL, FALSE);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    state.index[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  state.open = g_array_new (FALSE, FALSE, sizeof (Open));
  state.pending = g_array_new (FALSE, FALSE, sizeof (PendingLink));
  g_array_set_clear_func (state.pending, pending_link_clear);

  name = jn_xml_reader_get_local_name (reader);
  if (name != NULL)
    {
      jn_xml_reader_foreach_attribute (reader, read_root_attribute_cb, data);
      read_element (&state, reader, name);
    }

  while (jn_xml_reader_next (reader, &local_error))
    {
      int type = xmlTextReaderNodeType (xml);

      if (++n_nodes % CANCEL_CHECK_INTERVAL == 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        break;

      if (type == XML_READER_TYPE_ELEMENT)
        {
          read_element (&state, reader, (const char *)xmlTextReaderConstLocalName (xml));
        }
      else if (type == XML_READER_TYPE_END_ELEMENT)
        {
          int depth = xmlTextReaderDepth (xml);

          while (state.open->len > 0 &&
                 g_array_index (state.open, Open, state.open->len - 1).depth >= depth)
            g_array_set_size (state.open, state.open->len - 1);
        }
    }

  if (local_error != NULL)
    {
      /* Never half an import: a broken file yields no record at all. */
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        g_ptr_array_set_size (data->records[i], 0);
      g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  else
    {
      resolve_pending_links (&state);
    }

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    g_hash_table_unref (state.index[i]);
  g_array_unref (state.open);
  g_array_unref (state.pending);

  return ok;
}

gboolean
jn_record_reader_read (GBytes        *cleartext,
                       const char    *display_name,
                       JnExportData  *data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(JnXmlReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;

  reader = jn_xml_reader_new (cleartext, display_name, error);
  if (reader == NULL)
    return FALSE;

  while (jn_xml_reader_next (reader, &local_error))
    {
      if (jn_xml_reader_get_local_name (reader) != NULL)
        return jn_record_reader_read_from (reader, display_name, data, cancellable, error);
    }

  if (local_error == NULL)
    g_set_error (&local_error, JN_ERROR, JN_ERROR_INVALID_FILE,
                 _("%s: the file holds no XML element"), display_name);
  g_propagate_error (error, g_steal_pointer (&local_error));

  return FALSE;
}
