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

/* People sharing one IDPN (or one Ident) are compared with at most this many of the others;
 * an occurrence that repeats an earlier one exactly is found at once by its key. Real files
 * give one identifier to one person, or now and then to two: a file giving it to more is
 * broken and all its holders are marked duplicate-id anyway. */
#define MAX_COMPARED 16

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
  const char *too_long;   /* static: the first attribute over JN_RECORD_READER_MAX_VALUE */
  const char *repeated;   /* static: the first attribute given twice with two values */
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
  guint     line;
} PendingLink;

/* Key → people: one person per key almost always, so the others (rare) are kept aside.
 * Keys are the people's own strings, which never change once set. */
typedef struct
{
  GHashTable *first;   /* key → JnPerson */
  GHashTable *more;    /* key → GPtrArray of JnPerson, the second one on */
} Index;

static void
index_init (Index *index)
{
  index->first = g_hash_table_new (g_str_hash, g_str_equal);
  index->more = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify)g_ptr_array_unref);
}

static void
index_clear (Index *index)
{
  g_clear_pointer (&index->first, g_hash_table_unref);
  g_clear_pointer (&index->more, g_hash_table_unref);
}

static guint
index_count (Index      *index,
             const char *key)
{
  GPtrArray *more;

  if (!g_hash_table_contains (index->first, key))
    return 0;
  more = g_hash_table_lookup (index->more, key);

  return 1 + (more ? more->len : 0);
}

static JnPerson *
index_get (Index      *index,
           const char *key,
           guint       i)
{
  if (i == 0)
    return g_hash_table_lookup (index->first, key);

  return g_ptr_array_index ((GPtrArray *)g_hash_table_lookup (index->more, key), i - 1);
}

/* @key must be @person's own string */
static void
index_add (Index      *index,
           const char *key,
           JnPerson   *person)
{
  GPtrArray *more;

  if (!g_hash_table_contains (index->first, key))
    {
      g_hash_table_insert (index->first, (gpointer)key, person);
      return;
    }

  more = g_hash_table_lookup (index->more, key);
  if (more == NULL)
    {
      more = g_ptr_array_new ();
      g_hash_table_insert (index->more, (gpointer)key, more);
    }
  g_ptr_array_add (more, person);
}

typedef struct
{
  JnExportData *data;
  JnXmlReader  *reader;
  const char   *display_name;
  Index         by_pronote_id;            /* IDPN → people, all categories */
  Index         by_ident[JN_N_CATEGORIES]; /* Ident → people */
  GHashTable   *by_key;                  /* identity_key() → the person it was taken for */
  char         *own_ns;                  /* the root's namespace, NULL for none */
  int           skip_depth;              /* of the foreign element being skipped, or -1 */
  gboolean      warned_foreign;
  GArray       *open;                    /* Open: person elements enclosing the cursor */
  GArray       *pending;                 /* PendingLink */
  guint         n_records;
  guint         line;                    /* of the element being read */
  GError       *error;                   /* the first error of an element */
} ReadState;

JnExportData *
jn_export_data_new (void)
{
  JnExportData *data = g_new0 (JnExportData, 1);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    data->records[i] = g_ptr_array_new_with_free_func (g_object_unref);
  data->warnings = g_ptr_array_new_with_free_func (g_free);
  data->max_records = JN_RECORD_READER_MAX_RECORDS;

  return data;
}

void
jn_export_data_free (JnExportData *data)
{
  if (data == NULL)
    return;

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    g_clear_pointer (&data->records[i], g_ptr_array_unref);
  g_clear_pointer (&data->warnings, g_ptr_array_unref);
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

/* The attribute names are static strings, for messages */
static const struct
{
  const char *name;
  gsize       offset;
} known_attributes[] = {
  { "Ident", G_STRUCT_OFFSET (Attributes, ident) },
  { "Nom", G_STRUCT_OFFSET (Attributes, family_name) },
  { "Prenom", G_STRUCT_OFFSET (Attributes, given_name) },
  { "DateNaissance", G_STRUCT_OFFSET (Attributes, birth_date) },
  { "Civilite", G_STRUCT_OFFSET (Attributes, civility) },
  { "RespLegal", G_STRUCT_OFFSET (Attributes, legal_rank) },
  { "IDPN", G_STRUCT_OFFSET (Attributes, pronote_id) },
  { "IDCAS", G_STRUCT_OFFSET (Attributes, cas_id) },
};

static void
collect_attribute_cb (const char *name,
                      const char *value,
                      gpointer    user_data)
{
  Attributes *attrs = user_data;

  /* Attribute names are compared case-insensitively: older files write "IdPN". */
  for (guint i = 0; i < G_N_ELEMENTS (known_attributes); i++)
    {
      char **field = G_STRUCT_MEMBER_P (attrs, known_attributes[i].offset);
      g_autofree char *copy = NULL;

      if (g_ascii_strcasecmp (name, known_attributes[i].name) != 0)
        continue;

      if (strlen (value) > JN_RECORD_READER_MAX_VALUE)
        {
          if (attrs->too_long == NULL)
            attrs->too_long = known_attributes[i].name;
          return;
        }

      copy = dup_value (value);
      /* IDPN="A" idpn="B": which one would be the person's? Neither: refuse. */
      if (*field != NULL && g_strcmp0 (*field, copy) != 0 && attrs->repeated == NULL)
        attrs->repeated = known_attributes[i].name;
      if (*field == NULL)
        *field = g_steal_pointer (&copy);
      return;
    }
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

static void G_GNUC_PRINTF (2, 3)
add_warning (ReadState  *state,
             const char *format,
             ...)
{
  JnExportData *data = state->data;
  va_list args;

  data->n_warnings++;
  if (data->warnings->len >= JN_RECORD_READER_MAX_WARNINGS)
    return;

  va_start (args, format);
  g_ptr_array_add (data->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

static gboolean
differ (const char *a,
        const char *b)
{
  return a != NULL && *a != '\0' && b != NULL && *b != '\0' && strcmp (a, b) != 0;
}

/* Two occurrences are one person unless something both of them say differs. A name or a
 * birth date that one occurrence omits is no evidence of another person. */
static gboolean
same_identity (JnPerson   *person,
               JnCategory  category,
               Attributes *attrs)
{
  g_autofree char *date = jn_record_reader_parse_date (attrs->birth_date);

  return jn_person_get_category (person) == category &&
         !differ (jn_person_get_family_name (person), attrs->family_name) &&
         !differ (jn_person_get_given_name (person), attrs->given_name) &&
         !differ (jn_person_get_birth_date (person), date) &&
         !differ (jn_person_get_ident (person), attrs->ident);
}

/* @person just took the identifier @pronote_id */
static void
index_pronote_id (ReadState  *state,
                  JnPerson   *person,
                  const char *pronote_id)
{
  guint n;

  if (!jn_pronote_id_is_wellformed (pronote_id))
    {
      g_autofree char *shown = jn_xml_dup_escaped (pronote_id, 40);

      add_warning (state, _("%s:%u: invalid PRONOTE identifier “%s” (PRONOTE writes 16 "
                            "characters of %s): it will not be matched nor sent"),
                   state->display_name, jn_person_get_line (person), shown,
                   JN_PRONOTE_ID_ALPHABET);
    }

  index_add (&state->by_pronote_id, pronote_id, person);
  n = index_count (&state->by_pronote_id, pronote_id);
  if (n < 2)
    return;

  /* The third holder on only joins the group: marking it alone keeps this linear */
  jn_person_set_duplicate_id (person, TRUE);
  if (n > 2)
    return;

  {
    JnPerson *first = index_get (&state->by_pronote_id, pronote_id, 0);
    g_autofree char *shown = jn_xml_dup_escaped (pronote_id, 40);

    jn_person_set_duplicate_id (first, TRUE);
    add_warning (state, _("%s:%u: the PRONOTE identifier “%s” is also given to another "
                          "record (line %u): none of them will be matched automatically"),
                 state->display_name, jn_person_get_line (person), shown,
                 jn_person_get_line (first));
  }
}

/* The occurrence's identity as a string, for an exact repetition: the IDPN path and the
 * Ident path (without IDPN) are told apart. XML text never holds U+001F. */
static char *
identity_key (JnCategory  category,
              Attributes *attrs,
              const char *date)
{
#define OR_EMPTY(s) ((s) != NULL ? (s) : "")
  return g_strdup_printf ("%c\x1f%s\x1f%d\x1f%s\x1f%s\x1f%s\x1f%s",
                          attrs->pronote_id != NULL ? 'P' : 'I', OR_EMPTY (attrs->pronote_id),
                          (int)category, OR_EMPTY (attrs->family_name),
                          OR_EMPTY (attrs->given_name), OR_EMPTY (date),
                          OR_EMPTY (attrs->ident));
#undef OR_EMPTY
}

/* One person per identifier and identity: a parent listed under each child is one parent
 * with several children; two people given one identifier stay two records, both marked.
 *
 * Matching only ever fills fields a person lacks, so a person taken for an occurrence stays
 * the first match for any later occurrence with the same key: the key table gives the same
 * answer as comparing again, in constant time. */
static JnPerson *
find_or_add_person (ReadState  *state,
                    JnCategory  category,
                    Attributes *attrs)
{
  JnPerson *person = NULL;
  gboolean had_pronote_id, had_ident;
  g_autofree char *key = NULL;
  guint n;

  if (attrs->pronote_id != NULL || attrs->ident != NULL)
    {
      g_autofree char *date = jn_record_reader_parse_date (attrs->birth_date);

      key = identity_key (category, attrs, date);
      person = g_hash_table_lookup (state->by_key, key);
    }

  if (person == NULL && attrs->pronote_id != NULL)
    {
      n = MIN (index_count (&state->by_pronote_id, attrs->pronote_id), MAX_COMPARED);
      for (guint i = 0; i < n && person == NULL; i++)
        if (same_identity (index_get (&state->by_pronote_id, attrs->pronote_id, i), category, attrs))
          person = index_get (&state->by_pronote_id, attrs->pronote_id, i);
    }

  /* Without an identifier on one side, the same Ident is the same person */
  if (person == NULL && attrs->ident != NULL)
    {
      n = MIN (index_count (&state->by_ident[category], attrs->ident), MAX_COMPARED);
      for (guint i = 0; i < n && person == NULL; i++)
        {
          JnPerson *candidate = index_get (&state->by_ident[category], attrs->ident, i);

          if ((attrs->pronote_id == NULL || jn_person_get_pronote_id (candidate) == NULL) &&
              same_identity (candidate, category, attrs))
            person = candidate;
        }
    }

  if (person == NULL)
    {
      if (state->n_records >= state->data->max_records)
        {
          g_set_error (&state->error, JN_ERROR, JN_ERROR_TOO_LARGE,
                       _("%s: line %u: the export holds more than %u records"),
                       state->display_name, state->line, state->data->max_records);
          return NULL;
        }
      state->n_records++;
      person = jn_person_new (category);
      jn_person_set_line (person, state->line);
      g_ptr_array_add (state->data->records[category], person);
    }

  had_pronote_id = jn_person_get_pronote_id (person) != NULL;
  had_ident = jn_person_get_ident (person) != NULL;
  fill_missing (person, attrs);

  if (!had_pronote_id && jn_person_get_pronote_id (person) != NULL)
    index_pronote_id (state, person, jn_person_get_pronote_id (person));
  if (!had_ident && jn_person_get_ident (person) != NULL)
    index_add (&state->by_ident[category], jn_person_get_ident (person), person);
  if (key != NULL && !g_hash_table_contains (state->by_key, key))
    g_hash_table_insert (state->by_key, g_steal_pointer (&key), person);

  return person;
}

static gboolean
link_child (ReadState *state,
            JnPerson  *relative,
            JnPerson  *student,
            guint      line)
{
  GPtrArray *children = jn_person_get_children (relative);

  if (children->len >= JN_PERSON_MAX_CHILDREN && !g_ptr_array_find (children, student, NULL))
    {
      g_set_error (&state->error, JN_ERROR, JN_ERROR_TOO_LARGE,
                   _("%s: line %u: a relative has more than %u children"),
                   state->display_name, line, JN_PERSON_MAX_CHILDREN);
      return FALSE;
    }

  jn_person_add_child (relative, student);
  return TRUE;
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
  ReadState *state = user_data;
  JnExportData *data = state->data;
  char **field = NULL;

  if (strlen (value) > JN_RECORD_READER_MAX_VALUE &&
      (g_ascii_strcasecmp (name, "UAI") == 0 || g_ascii_strcasecmp (name, "NomEtablissement") == 0 ||
       g_ascii_strcasecmp (name, "DateExport") == 0 || g_ascii_strcasecmp (name, "DateHeure") == 0 ||
       g_ascii_strcasecmp (name, "Logiciel") == 0))
    {
      if (state->error == NULL)
        g_set_error (&state->error, JN_ERROR, JN_ERROR_TOO_LARGE,
                     _("%s: line %u: the attribute %s is too long (more than %u bytes)"),
                     state->display_name, state->line, name, JN_RECORD_READER_MAX_VALUE);
      return;
    }

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

/* Only elements of no namespace or of the document's own are ours: <e:Eleve xmlns:e="urn:x">
 * is somebody else's data, skipped with everything inside it. */
static gboolean
is_foreign (ReadState        *state,
            xmlTextReaderPtr  xml)
{
  const char *ns = (const char *)xmlTextReaderConstNamespaceUri (xml);
  g_autofree char *shown_name = NULL;
  g_autofree char *shown_ns = NULL;

  if (ns == NULL || g_strcmp0 (ns, state->own_ns) == 0)
    return FALSE;

  if (!state->warned_foreign)
    {
      state->warned_foreign = TRUE;
      shown_name = jn_xml_dup_escaped ((const char *)xmlTextReaderConstName (xml), 40);
      shown_ns = jn_xml_dup_escaped (ns, 60);
      add_warning (state, _("%s:%u: the element “%s” of the foreign namespace “%s” is "
                            "ignored with its content, as are the others of foreign namespaces"),
                   state->display_name, state->line, shown_name, shown_ns);
    }

  return TRUE;
}

static gboolean
read_element (ReadState   *state,
              JnXmlReader *reader,
              const char  *name)
{
  xmlTextReaderPtr xml = jn_xml_reader_get_reader (reader);
  Attributes attrs = { 0 };
  JnCategory category;
  JnPerson *person;

  if (!category_for_element (name, &category))
    return TRUE;

  jn_xml_reader_foreach_attribute (reader, collect_attribute_cb, &attrs);

  if (attrs.too_long != NULL || attrs.repeated != NULL)
    {
      if (attrs.too_long != NULL)
        g_set_error (&state->error, JN_ERROR, JN_ERROR_TOO_LARGE,
                     _("%s: line %u: the attribute %s is too long (more than %u bytes)"),
                     state->display_name, state->line, attrs.too_long, JN_RECORD_READER_MAX_VALUE);
      else
        g_set_error (&state->error, JN_ERROR, JN_ERROR_INVALID_FILE,
                     _("%s: line %u: the attribute %s is given twice, with two values"),
                     state->display_name, state->line, attrs.repeated);
      attributes_clear (&attrs);
      return FALSE;
    }

  if (attrs.pronote_id == NULL && (attrs.family_name == NULL || attrs.given_name == NULL))
    {
      /* A reference. Inside a top-level relative, a student reference names a child. */
      JnPerson *relative;

      if (category == JN_CATEGORY_STUDENT && attrs.ident != NULL &&
          (relative = nearest_open (state, JN_CATEGORY_RELATIVE)) != NULL)
        {
          PendingLink link = { relative, g_steal_pointer (&attrs.ident), state->line };

          /* Each reference costs memory: as many as records, no more */
          if (state->pending->len >= state->data->max_records)
            {
              g_set_error (&state->error, JN_ERROR, JN_ERROR_TOO_LARGE,
                           _("%s: line %u: the export holds more than %u references"),
                           state->display_name, state->line, state->data->max_records);
              g_free (link.student_ident);
              attributes_clear (&attrs);
              return FALSE;
            }
          g_array_append_val (state->pending, link);
        }
      attributes_clear (&attrs);
      return TRUE;
    }

  person = find_or_add_person (state, category, &attrs);
  attributes_clear (&attrs);
  if (person == NULL)
    return FALSE;

  if (category == JN_CATEGORY_RELATIVE)
    {
      JnPerson *student = nearest_open (state, JN_CATEGORY_STUDENT);

      if (student != NULL && !link_child (state, person, student, state->line))
        return FALSE;
    }
  else if (category == JN_CATEGORY_STUDENT)
    {
      JnPerson *relative = nearest_open (state, JN_CATEGORY_RELATIVE);

      if (relative != NULL && !link_child (state, relative, person, state->line))
        return FALSE;
    }

  if (!xmlTextReaderIsEmptyElement (xml))
    {
      Open open = { xmlTextReaderDepth (xml), person };

      g_array_append_val (state->open, open);
    }

  return TRUE;
}

static gboolean
resolve_pending_links (ReadState *state)
{
  Index *students = &state->by_ident[JN_CATEGORY_STUDENT];

  for (guint i = 0; i < state->pending->len; i++)
    {
      PendingLink *link = &g_array_index (state->pending, PendingLink, i);
      /* Ident is PRONOTE's own number: a reference names the first student holding it */
      JnPerson *student = index_get (students, link->student_ident, 0);

      if (student != NULL && !link_child (state, link->relative, student, link->line))
        return FALSE;
    }

  return TRUE;
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
  ReadState state = { 0 };
  gboolean ok = TRUE;
  guint n_nodes = 0;
  const char *name;

  g_return_val_if_fail (data != NULL, FALSE);

  state.data = data;
  state.reader = reader;
  state.display_name = display_name;
  index_init (&state.by_pronote_id);
  state.by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    index_init (&state.by_ident[i]);
  state.open = g_array_new (FALSE, FALSE, sizeof (Open));
  state.pending = g_array_new (FALSE, FALSE, sizeof (PendingLink));
  g_array_set_clear_func (state.pending, pending_link_clear);

  state.skip_depth = -1;
  name = jn_xml_reader_get_local_name (reader);
  if (name != NULL)
    {
      state.own_ns = g_strdup ((const char *)xmlTextReaderConstNamespaceUri (xml));
      state.line = (guint)jn_xml_reader_get_node_line (reader);
      jn_xml_reader_foreach_attribute (reader, read_root_attribute_cb, &state);
      if (state.error == NULL)
        read_element (&state, reader, name);
    }

  while (state.error == NULL && jn_xml_reader_next (reader, &local_error))
    {
      int type = xmlTextReaderNodeType (xml);

      if (++n_nodes % CANCEL_CHECK_INTERVAL == 0 &&
          g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        break;

      if (state.skip_depth >= 0)
        {
          if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth (xml) <= state.skip_depth)
            state.skip_depth = -1;
          continue;
        }

      if (type == XML_READER_TYPE_ELEMENT)
        {
          state.line = (guint)jn_xml_reader_get_node_line (reader);
          if (is_foreign (&state, xml))
            {
              if (!xmlTextReaderIsEmptyElement (xml))
                state.skip_depth = xmlTextReaderDepth (xml);
              continue;
            }
          if (!read_element (&state, reader, (const char *)xmlTextReaderConstLocalName (xml)))
            break;
        }
      else if (type == XML_READER_TYPE_END_ELEMENT)
        {
          int depth = xmlTextReaderDepth (xml);

          while (state.open->len > 0 &&
                 g_array_index (state.open, Open, state.open->len - 1).depth >= depth)
            g_array_set_size (state.open, state.open->len - 1);
        }
    }

  if (local_error == NULL && state.error == NULL)
    resolve_pending_links (&state);
  if (local_error == NULL && state.error != NULL)
    local_error = g_steal_pointer (&state.error);
  g_clear_error (&state.error);

  if (local_error != NULL)
    {
      /* Never half an import: a broken file yields no record at all. */
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        g_ptr_array_set_size (data->records[i], 0);
      g_ptr_array_set_size (data->warnings, 0);
      data->n_warnings = 0;
      g_propagate_error (error, g_steal_pointer (&local_error));
      ok = FALSE;
    }
  else if (data->n_warnings > data->warnings->len)
    {
      g_ptr_array_add (data->warnings,
                       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: and %u more warning",
                                                     "%s: and %u more warnings",
                                                     data->n_warnings - data->warnings->len),
                                        display_name, data->n_warnings - data->warnings->len));
    }

  index_clear (&state.by_pronote_id);
  g_clear_pointer (&state.by_key, g_hash_table_unref);
  g_free (state.own_ns);
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    index_clear (&state.by_ident[i]);
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
