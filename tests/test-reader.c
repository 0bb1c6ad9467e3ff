/* test-reader.c: the tolerant record reader, on inline documents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "jn-error.h"
#include "jn-person.h"
#include "jn-record-reader.h"

static JnExportData *
read_string_full (const char  *xml,
                  gssize       len,
                  GError     **error)
{
  g_autoptr(JnExportData) data = jn_export_data_new ();
  g_autoptr(GBytes) bytes = g_bytes_new (xml, len < 0 ? strlen (xml) : (gsize)len);

  if (!jn_record_reader_read (bytes, "test.xml", data, NULL, error))
    {
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        g_assert_cmpuint (data->records[i]->len, ==, 0);
      return NULL;
    }

  return g_steal_pointer (&data);
}

static JnExportData *
read_string (const char *xml)
{
  g_autoptr(GError) error = NULL;
  JnExportData *data = read_string_full (xml, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (data);
  return data;
}

static JnPerson *
find_person (JnExportData *data,
             JnCategory    category,
             const char   *pronote_id)
{
  for (guint i = 0; i < data->records[category]->len; i++)
    {
      JnPerson *person = g_ptr_array_index (data->records[category], i);

      if (g_strcmp0 (jn_person_get_pronote_id (person), pronote_id) == 0)
        return person;
    }

  return NULL;
}

static void
assert_counts (JnExportData *data,
               guint         teachers,
               guint         students,
               guint         relatives,
               guint         masters,
               guint         inspectors,
               guint         staff)
{
  g_assert_cmpuint (data->records[JN_CATEGORY_TEACHER]->len, ==, teachers);
  g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, students);
  g_assert_cmpuint (data->records[JN_CATEGORY_RELATIVE]->len, ==, relatives);
  g_assert_cmpuint (data->records[JN_CATEGORY_INTERNSHIP_MASTER]->len, ==, masters);
  g_assert_cmpuint (data->records[JN_CATEGORY_INSPECTOR]->len, ==, inspectors);
  g_assert_cmpuint (data->records[JN_CATEGORY_STAFF]->len, ==, staff);
}

static void
test_canonical (void)
{
  g_autoptr(JnExportData) data = read_string (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ExportIdentifiants xmlns=\"http://example.invalid/ids\" UAI=\"0312609T\" DateExport=\"2026-09-01\""
    " NomEtablissement=\"Collège des Essais\" Logiciel=\"PRONOTE 2026\">\n"
    " <Professeurs><Professeur Ident=\"2\" Nom=\"MARTIN\" Prenom=\"Claire\" DateNaissance=\"1980-04-02\" IDPN=\"KVX8NTH4DPQ3SYU7\"/></Professeurs>\n"
    " <Eleves><Eleve Ident=\"1\" Nom=\"ELAPHE\" Prenom=\"Aïssa\" DateNaissance=\"2012-01-10\" IDPN=\"HUP2NFZQRYAD7EXS\" IDCAS=\"\">\n"
    "   <Responsable Ident=\"14001\" RespLegal=\"1\" Nom=\"ELAPHE\" Prenom=\"Karim\" Civilite=\"M.\" IDPN=\"DK4BZJEQWCHP98RS\"/></Eleve></Eleves>\n"
    " <MaitresDeStage><MaitreDeStage Nom=\"BOURSIN\" Prenom=\"Jean-Émile\" IDPN=\"MS2345789ABCDEFG\"/></MaitresDeStage>\n"
    " <InspecteursPedagogiques><InspecteurPedagogique Nom=\"VARENNE\" Prenom=\"Odile\" IDPN=\"IP2345789ABCDEFG\"/></InspecteursPedagogiques>\n"
    " <Personnels><Personnel Nom=\"D'ALMEIDA\" Prenom=\"Rui\" IDPN=\"PE2345789ABCDEFG\" IDCAS=\"rdalmeida\"/></Personnels>\n"
    "</ExportIdentifiants>\n");
  JnPerson *student, *relative, *staff;

  assert_counts (data, 1, 1, 1, 1, 1, 1);
  g_assert_cmpstr (data->uai, ==, "0312609T");
  g_assert_cmpstr (data->exported_at, ==, "2026-09-01");
  g_assert_cmpstr (data->establishment, ==, "Collège des Essais");
  g_assert_cmpstr (data->software, ==, "PRONOTE 2026");

  student = find_person (data, JN_CATEGORY_STUDENT, "HUP2NFZQRYAD7EXS");
  g_assert_nonnull (student);
  g_assert_cmpstr (jn_person_get_family_name (student), ==, "ELAPHE");
  g_assert_cmpstr (jn_person_get_given_name (student), ==, "Aïssa");
  g_assert_cmpstr (jn_person_get_birth_date (student), ==, "2012-01-10");
  g_assert_null (jn_person_get_cas_id (student));
  g_assert_cmpstr (jn_person_get_ident (student), ==, "1");

  relative = find_person (data, JN_CATEGORY_RELATIVE, "DK4BZJEQWCHP98RS");
  g_assert_nonnull (relative);
  g_assert_cmpuint (jn_person_get_legal_rank (relative), ==, 1);
  g_assert_false (jn_person_get_is_couple (relative));
  g_assert_cmpuint (jn_person_get_children (relative)->len, ==, 1);
  g_assert_true (g_ptr_array_index (jn_person_get_children (relative), 0) == student);

  staff = find_person (data, JN_CATEGORY_STAFF, "PE2345789ABCDEFG");
  g_assert_cmpstr (jn_person_get_cas_id (staff), ==, "rdalmeida");
  g_assert_cmpstr (jn_person_get_family_name (staff), ==, "D'ALMEIDA");
  g_assert_null (jn_person_get_birth_date (staff));
}

static void
test_timetable_style (void)
{
  g_autoptr(JnExportData) data = read_string (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ExportEmploiDuTemps xmlns=\"http://www.index-education.com/exportemploidutemps\" Version=\"2\" UAI=\"0999999Z\">\n"
    " <Professeurs>\n"
    "  <Professeur Ident=\"2\" Nom=\"LOUVET\" Prenom=\"Marc\" DateNaissance=\"03/11/1975\" IDSTS=\"123\" IdPN=\"T2345789ABCDEFGH\" IDCAS=\"\" Couleur=\"rouge\"/>\n"
    " </Professeurs>\n"
    " <Eleves>\n"
    "  <Eleve Ident=\"10\" Nom=\"PERRIN\" Prenom=\"Lou\" DateNaissance=\"21/06/2013\" Sexe=\"F\" idpn=\"S1AAAAAAAAAAAAAA\">\n"
    "   <Classe Ident=\"5\"/>\n"
    "   <Responsable Ident=\"900\" RespLegal=\"1\" Nom=\"PERRIN\" Prenom=\"Anne et Paul\" Civilite=\"M,Mme\" IDPN=\"R1AAAAAAAAAAAAAA\"/>\n"
    "   <Responsable Ident=\"901\" RespLegal=\"0\" Nom=\"GUERIN\" Prenom=\"Mamie\" Civilite=\"Mme\"/>\n"
    "  </Eleve>\n"
    "  <Eleve Ident=\"11\" Nom=\"PERRIN\" Prenom=\"Noé\" DateNaissance=\"2015-02-28\" IDPN=\"S2AAAAAAAAAAAAAA\">\n"
    "   <Responsable Ident=\"900\" RespLegal=\"1\" Nom=\"PERRIN\" Prenom=\"Anne et Paul\" Civilite=\"M,Mme\" IDPN=\"R1AAAAAAAAAAAAAA\"/>\n"
    "   <Responsable Ident=\"901\" RespLegal=\"0\" Nom=\"GUERIN\" Prenom=\"Mamie\" Civilite=\"Mme\"/>\n"
    "  </Eleve>\n"
    " </Eleves>\n"
    " <Cours><Cours Ident=\"1\"><Professeur Ident=\"2\"/><Eleve Ident=\"10\"/><Eleve Ident=\"11\"/></Cours></Cours>\n"
    "</ExportEmploiDuTemps>\n");
  JnPerson *teacher, *couple, *grandmother = NULL;

  /* Course references are not people; each parent is one person with both children. */
  assert_counts (data, 1, 2, 2, 0, 0, 0);
  g_assert_cmpstr (data->uai, ==, "0999999Z");
  g_assert_null (data->exported_at);

  teacher = find_person (data, JN_CATEGORY_TEACHER, "T2345789ABCDEFGH");
  g_assert_nonnull (teacher);
  g_assert_cmpstr (jn_person_get_birth_date (teacher), ==, "1975-11-03");

  couple = find_person (data, JN_CATEGORY_RELATIVE, "R1AAAAAAAAAAAAAA");
  g_assert_nonnull (couple);
  g_assert_true (jn_person_get_is_couple (couple));
  g_assert_cmpuint (jn_person_get_children (couple)->len, ==, 2);

  /* Without IDPN, deduplicated by Ident */
  for (guint i = 0; i < data->records[JN_CATEGORY_RELATIVE]->len; i++)
    if (jn_person_get_pronote_id (g_ptr_array_index (data->records[JN_CATEGORY_RELATIVE], i)) == NULL)
      grandmother = g_ptr_array_index (data->records[JN_CATEGORY_RELATIVE], i);
  g_assert_nonnull (grandmother);
  g_assert_cmpstr (jn_person_get_ident (grandmother), ==, "901");
  g_assert_cmpuint (jn_person_get_legal_rank (grandmother), ==, 0);
  g_assert_cmpuint (jn_person_get_children (grandmother)->len, ==, 2);
}

static void
test_top_level_relatives (void)
{
  g_autoptr(JnExportData) data = read_string (
    "<Export><Eleves>"
    "<Eleve Ident=\"1\" Nom=\"A\" Prenom=\"B\" IDPN=\"SAAAAAAAAAAAAAA1\"/>"
    "<Eleve Ident=\"2\" Nom=\"A\" Prenom=\"C\" IDPN=\"SAAAAAAAAAAAAAA2\"/></Eleves>"
    "<Responsables><Responsable Nom=\"A\" Prenom=\"D\" IDPN=\"RAAAAAAAAAAAAAA1\">"
    "<Eleve Ident=\"1\"/><Eleve Ident=\"2\"/><Eleve Ident=\"99\"/></Responsable></Responsables>"
    "<ENSEIGNANT nom=\"Z\" prenom=\"Y\" idpn=\"EAAAAAAAAAAAAAA1\"/>"
    "</Export>");
  JnPerson *relative;

  assert_counts (data, 1, 2, 1, 0, 0, 0);
  g_assert_null (data->uai);
  relative = find_person (data, JN_CATEGORY_RELATIVE, "RAAAAAAAAAAAAAA1");
  g_assert_cmpuint (jn_person_get_children (relative)->len, ==, 2);
}

static void
test_dates (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "2012-01-10", "2012-01-10" },
    { "10/01/2012", "2012-01-10" },
    { "1/2/2012", "2012-02-01" },
    { " 2012-01-10 ", "2012-01-10" },
    { "2012-01-10T00:00:00", "2012-01-10" },
    { "2012-02-30", NULL },
    { "31/13/2012", NULL },
    { "", NULL },
    { "demain", NULL },
    { "12-01-2012", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = jn_record_reader_parse_date (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_encodings (void)
{
  /* ISO-8859-1: "é" = 0xE9, "ï" = 0xEF, "ç" = 0xE7 */
  static const char latin1[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
    "<E><Eleve Nom=\"FRAN\xC7OIS\" Prenom=\"H\xE9lo\xEFse\" IDPN=\"SAAAAAAAAAAAAAA1\"/></E>";
  /* Windows-1252: "Œ" = 0x8C, "’" = 0x92 */
  static const char cp1252[] =
    "<?xml version=\"1.0\" encoding=\"Windows-1252\"?>\n"
    "<E><Personnel Nom=\"\x8C" "UVRARD\" Prenom=\"Ma\x92na\" IDPN=\"PAAAAAAAAAAAAAA1\"/></E>";
  static const char bom[] =
    "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<E><Eleve Nom=\"\xC3\x89LODIE\" Prenom=\"Zo\xC3\xA9\" IDPN=\"SAAAAAAAAAAAAAA1\"/></E>";
  g_autoptr(JnExportData) a = read_string (latin1);
  g_autoptr(JnExportData) b = read_string (cp1252);
  g_autoptr(JnExportData) c = read_string (bom);

  g_assert_cmpstr (jn_person_get_family_name (g_ptr_array_index (a->records[JN_CATEGORY_STUDENT], 0)), ==, "FRANÇOIS");
  g_assert_cmpstr (jn_person_get_given_name (g_ptr_array_index (a->records[JN_CATEGORY_STUDENT], 0)), ==, "Héloïse");
  g_assert_cmpstr (jn_person_get_family_name (g_ptr_array_index (b->records[JN_CATEGORY_STAFF], 0)), ==, "ŒUVRARD");
  g_assert_cmpstr (jn_person_get_given_name (g_ptr_array_index (b->records[JN_CATEGORY_STAFF], 0)), ==, "Ma’na");
  g_assert_cmpstr (jn_person_get_family_name (g_ptr_array_index (c->records[JN_CATEGORY_STUDENT], 0)), ==, "ÉLODIE");
}

static void
test_empty_categories (void)
{
  g_autoptr(JnExportData) data = read_string (
    "<ExportIdentifiants UAI=\"0312609T\"><Professeurs/><Eleves></Eleves><Personnels/></ExportIdentifiants>");

  assert_counts (data, 0, 0, 0, 0, 0, 0);
  g_assert_cmpstr (data->uai, ==, "0312609T");
}


/* Class 1: one identifier, one person */

static guint
count_flagged (JnExportData *data,
               JnCategory    category)
{
  guint n = 0;

  for (guint i = 0; i < data->records[category]->len; i++)
    n += jn_person_get_duplicate_id (g_ptr_array_index (data->records[category], i));

  return n;
}

static gboolean
has_warning (JnExportData *data,
             const char   *fragment)
{
  for (guint i = 0; i < data->warnings->len; i++)
    if (strstr (g_ptr_array_index (data->warnings, i), fragment) != NULL)
      return TRUE;

  return FALSE;
}

#define PN_A "HUP2NFZQRYAD7EXS"
#define PN_B "KVX8NTH4DPQ3SYU7"

static void
test_duplicate_ids (void)
{
  static const struct
  {
    const char *about;
    const char *xml;
    guint       counts[JN_N_CATEGORIES];   /* records per category */
    guint       flagged[JN_N_CATEGORIES];  /* of which marked duplicate-id */
    const char *warning;                   /* NULL: no warning at all */
  } cases[] = {
    { "a student and her parent",
      "<E>\n<Eleve Ident=\"1\" Nom=\"A\" Prenom=\"Lou\" IDPN=\"" PN_A "\">\n"
      "<Responsable Ident=\"9\" Nom=\"A\" Prenom=\"Karim\" IDPN=\"" PN_A "\"/></Eleve></E>",
      { 0, 1, 1, 0, 0, 0 }, { 0, 1, 1, 0, 0, 0 }, "test.xml:3: the PRONOTE identifier “" PN_A "” is also given to another record (line 2)" },
    { "a teacher and a student",
      "<E><Professeur Nom=\"B\" Prenom=\"Claire\" IDPN=\"" PN_A "\"/>\n"
      "<Eleve Nom=\"C\" Prenom=\"Noé\" IDPN=\"" PN_A "\"/></E>",
      { 1, 1, 0, 0, 0, 0 }, { 1, 1, 0, 0, 0, 0 }, "test.xml:2:" },
    { "two different students",
      "<E><Eleve Ident=\"1\" Nom=\"A\" Prenom=\"Lou\" IDPN=\"" PN_A "\"/>"
      "<Eleve Ident=\"2\" Nom=\"B\" Prenom=\"Noé\" IDPN=\"" PN_A "\"/></E>",
      { 0, 2, 0, 0, 0, 0 }, { 0, 2, 0, 0, 0, 0 }, "is also given" },
    { "namesakes told apart by their birth dates",
      "<E><Eleve Nom=\"A\" Prenom=\"Lou\" DateNaissance=\"2012-01-10\" IDPN=\"" PN_A "\"/>"
      "<Eleve Nom=\"A\" Prenom=\"Lou\" DateNaissance=\"10/02/2012\" IDPN=\"" PN_A "\"/></E>",
      { 0, 2, 0, 0, 0, 0 }, { 0, 2, 0, 0, 0, 0 }, "is also given" },
    { "namesakes told apart by their Ident",
      "<E><Personnel Ident=\"51\" Nom=\"A\" Prenom=\"Lou\" IDPN=\"" PN_A "\"/>"
      "<Personnel Ident=\"52\" Nom=\"A\" Prenom=\"Lou\" IDPN=\"" PN_A "\"/></E>",
      { 0, 0, 0, 0, 0, 2 }, { 0, 0, 0, 0, 0, 2 }, "is also given" },
    { "three categories, one identifier",
      "<E><MaitreDeStage Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\"/>"
      "<Inspecteur Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\"/>"
      "<Personnel Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\"/>"
      "<Personnel Nom=\"Z\" Prenom=\"Y\" IDPN=\"" PN_B "\"/></E>",
      { 0, 0, 0, 1, 1, 2 }, { 0, 0, 0, 1, 1, 1 }, "is also given" },
    { "the same parent under two children: one person",
      "<E><Eleve Nom=\"A\" Prenom=\"Lou\" IDPN=\"" PN_A "\"><Responsable Ident=\"9\" Nom=\"A\" Prenom=\"K\" IDPN=\"" PN_B "\"/></Eleve>"
      "<Eleve Nom=\"A\" Prenom=\"Noé\" IDPN=\"S2AAAAAAAAAAAAAA\"><Responsable Ident=\"9\" Nom=\"A\" Prenom=\"K\" IDPN=\"" PN_B "\"/></Eleve></E>",
      { 0, 2, 1, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 }, NULL },
    { "the same student again, once without birth date: one person",
      "<E><Eleve Ident=\"1\" Nom=\"A\" Prenom=\"Lou\" DateNaissance=\"2012-01-10\" IDPN=\"" PN_A "\"/>"
      "<Eleve Ident=\"1\" Nom=\"A\" Prenom=\"Lou\" IDPN=\"" PN_A "\"/></E>",
      { 0, 1, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 }, NULL },
    { "an identifier alone, then the full record: one person",
      "<E><Professeur IDPN=\"" PN_A "\"/><Professeur Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\"/></E>",
      { 1, 0, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 }, NULL },
    { "without identifiers, one Ident for two different people: two records",
      "<E><Eleve Ident=\"1\" Nom=\"A\" Prenom=\"Lou\"/><Eleve Ident=\"1\" Nom=\"B\" Prenom=\"Noé\"/></E>",
      { 0, 2, 0, 0, 0, 0 }, { 0, 0, 0, 0, 0, 0 }, NULL },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JnExportData) data = read_string (cases[c].xml);

      g_test_message ("case: %s", cases[c].about);
      for (guint i = 0; i < JN_N_CATEGORIES; i++)
        {
          g_assert_cmpuint (data->records[i]->len, ==, cases[c].counts[i]);
          g_assert_cmpuint (count_flagged (data, i), ==, cases[c].flagged[i]);
        }
      if (cases[c].warning == NULL)
        g_assert_cmpuint (data->warnings->len, ==, 0);
      else if (!has_warning (data, cases[c].warning))
        g_error ("%s: no warning with “%s”", cases[c].about, cases[c].warning);
    }
}

static void
test_shared_parent_children (void)
{
  /* The merge keeps every link: one parent, both children; the shared identifier of two
   * different parents keeps each one's own child. */
  g_autoptr(JnExportData) data = read_string (
    "<E>\n"
    "<Eleve Ident=\"1\" Nom=\"A\" Prenom=\"Lou\" IDPN=\"S2AAAAAAAAAAAAAA\">\n"
    " <Responsable Ident=\"9\" Nom=\"A\" Prenom=\"K\" IDPN=\"" PN_B "\"/>\n"
    " <Responsable Ident=\"8\" Nom=\"Z\" Prenom=\"Y\" IDPN=\"" PN_A "\"/></Eleve>\n"
    "<Eleve Ident=\"2\" Nom=\"A\" Prenom=\"Noé\" IDPN=\"S3AAAAAAAAAAAAAA\">\n"
    " <Responsable Ident=\"9\" Nom=\"A\" Prenom=\"K\" IDPN=\"" PN_B "\"/>\n"
    " <Responsable Ident=\"7\" Nom=\"X\" Prenom=\"W\" IDPN=\"" PN_A "\"/></Eleve>\n"
    "</E>");
  JnPerson *parent = find_person (data, JN_CATEGORY_RELATIVE, PN_B);
  JnPerson *first = g_ptr_array_index (data->records[JN_CATEGORY_RELATIVE], 1);
  JnPerson *second = g_ptr_array_index (data->records[JN_CATEGORY_RELATIVE], 2);

  g_assert_cmpuint (data->records[JN_CATEGORY_RELATIVE]->len, ==, 3);
  g_assert_cmpuint (jn_person_get_children (parent)->len, ==, 2);
  g_assert_false (jn_person_get_duplicate_id (parent));
  g_assert_cmpuint (jn_person_get_line (parent), ==, 3);
  g_assert_cmpstr (jn_person_get_pronote_id (first), ==, PN_A);
  g_assert_cmpstr (jn_person_get_pronote_id (second), ==, PN_A);
  g_assert_true (jn_person_get_duplicate_id (first) && jn_person_get_duplicate_id (second));
  g_assert_cmpuint (jn_person_get_line (first), ==, 4);
  g_assert_cmpuint (jn_person_get_line (second), ==, 7);
  g_assert_cmpstr (jn_person_get_given_name (jn_person_get_children (first)->pdata[0]), ==, "Lou");
  g_assert_cmpstr (jn_person_get_given_name (jn_person_get_children (second)->pdata[0]), ==, "Noé");
}

static void
test_invalid_ids (void)
{
  static const struct
  {
    const char *attribute;   /* as written in the file */
    const char *shown;       /* in the warning; NULL when well-formed */
  } cases[] = {
    { PN_A, NULL },
    { "hup2nfzqryad7exs", "“hup2nfzqryad7exs”" },
    { "HUP2NFZQ", "“HUP2NFZQ”" },
    { "HUP2NFZQRYAD7EXSS", "“HUP2NFZQRYAD7EXSS”" },
    { "HUP2NFZQRYAD7EXI", "“HUP2NFZQRYAD7EXI”" },
    { "HUP2NFZQRYAD7EX0", "“HUP2NFZQRYAD7EX0”" },
    { "HUP2 NFZQRYAD7EX", "“HUP2 NFZQRYAD7EX”" },
    { "HUP2&#x202E;NFZQRYAD7EX", "“HUP2\\u202ENFZQRYAD7EX”" },
    { "HUP2NFZQRYAD7EX\xC3\x89", "“HUP2NFZQRYAD7EX\\u00C9”" },
    { PN_A "&#9;", "“" PN_A "”" },   /* trimmed: well-formed after all */
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *xml = g_strdup_printf ("<E>\n\n<Eleve Nom=\"A\" Prenom=\"B\" IDPN=\"%s\"/></E>",
                                              cases[c].attribute);
      g_autoptr(JnExportData) data = read_string (xml);
      JnPerson *person = g_ptr_array_index (data->records[JN_CATEGORY_STUDENT], 0);

      g_test_message ("case: %s", cases[c].attribute);
      g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, 1);
      g_assert_nonnull (jn_person_get_pronote_id (person));
      g_assert_cmpuint (jn_person_get_line (person), ==, 3);
      if (cases[c].shown == NULL || g_str_has_suffix (cases[c].attribute, "&#9;"))
        {
          g_assert_false (jn_person_get_id_invalid (person));
          g_assert_cmpuint (data->warnings->len, ==, 0);
          continue;
        }
      g_assert_true (jn_person_get_id_invalid (person));
      g_assert_cmpuint (data->warnings->len, ==, 1);
      g_assert_true (g_str_has_prefix (g_ptr_array_index (data->warnings, 0),
                                       "test.xml:3: invalid PRONOTE identifier "));
      if (!has_warning (data, cases[c].shown))
        g_error ("“%s” not in “%s”", cases[c].shown, (char *)g_ptr_array_index (data->warnings, 0));
    }
}

static void
test_many_warnings (void)
{
  g_autoptr(GString) xml = g_string_new ("<E>");
  g_autoptr(JnExportData) data = NULL;

  /* One warning per record would be a flood: the first hundred, then a count */
  for (guint i = 0; i < 250; i++)
    g_string_append_printf (xml, "<Eleve Nom=\"N%u\" Prenom=\"P\" IDPN=\"X%u\"/>", i, i);
  g_string_append (xml, "</E>");
  data = read_string (xml->str);

  g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, 250);
  g_assert_cmpuint (data->n_warnings, ==, 250);
  g_assert_cmpuint (data->warnings->len, ==, JN_RECORD_READER_MAX_WARNINGS + 1);
  g_assert_nonnull (strstr (g_ptr_array_index (data->warnings, JN_RECORD_READER_MAX_WARNINGS),
                            "150 more"));
}

static void
assert_refused (const char *xml,
                gssize      len,
                int         code,
                const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JnExportData) data = read_string_full (xml, len, &error);

  g_assert_null (data);
  g_assert_error (error, JN_ERROR, code);
  g_assert_true (jn_error_is_input_error (error));
  g_assert_nonnull (strstr (error->message, "test.xml"));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("“%s” not found in “%s”", fragment, error->message);
}

static void
test_broken (void)
{
  /* A broken file is refused whole, with its line, even after valid records. */
  assert_refused ("<E>\n<Eleve Nom=\"A\" Prenom=\"B\" IDPN=\"SAAAAAAAAAAAAAA1\"/>\n<Eleve Nom=\"C\"\n",
                  -1, JN_ERROR_INVALID_FILE, "line 4");
  assert_refused ("<E>\n<Eleves>\n<Eleve Nom=\"A\" Prenom=\"B\"/>\n</Eleve>\n</E>",
                  -1, JN_ERROR_INVALID_FILE, "line 4");
  assert_refused ("<E>\n<Eleves>\n<Eleve Nom=\"A\" Prenom=\"B\">\n", -1, JN_ERROR_INVALID_FILE,
                  "line 3: invalid XML: the file ends too early");
  assert_refused ("<a/><b/>", -1, JN_ERROR_INVALID_FILE, "Extra content");
  assert_refused ("", 0, JN_ERROR_INVALID_FILE, "empty");
  assert_refused ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, JN_ERROR_INVALID_FILE, "line 1");
  assert_refused ("just some text\n", -1, JN_ERROR_INVALID_FILE, "line 1");
  assert_refused ("<E><Eleve Nom=\"&undefined;\" Prenom=\"B\"/></E>", -1, JN_ERROR_INVALID_FILE, NULL);
}

static void
test_hostile (void)
{
  g_autofree char *dir = g_dir_make_tmp ("jn-reader-XXXXXX", NULL);
  g_autofree char *secret = g_build_filename (dir, "secret.txt", NULL);
  g_autofree char *xxe = NULL;
  g_autoptr(GString) bomb = g_string_new ("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 \"lol\">\n");
  gint64 start;

  g_assert_true (g_file_set_contents (secret, "XXE-SECRET-MARKER-4242", -1, NULL));

  xxe = g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                         "<!DOCTYPE E [ <!ENTITY xxe SYSTEM \"file://%s\"> ]>\n"
                         "<E><Eleve Nom=\"&xxe;\" Prenom=\"B\" IDPN=\"SAAAAAAAAAAAAAA1\">&xxe;</Eleve></E>",
                         secret);
  assert_refused (xxe, -1, JN_ERROR_FORBIDDEN_CONTENT, "DOCTYPE");

  /* Parameter entities pointing outside are never fetched either. */
  g_free (xxe);
  xxe = g_strdup_printf ("<?xml version=\"1.0\"?>\n"
                         "<!DOCTYPE E [ <!ENTITY %% p SYSTEM \"file://%s\"> %%p; ]>\n<E/>", secret);
  assert_refused (xxe, -1, JN_ERROR_FORBIDDEN_CONTENT, "DOCTYPE");

  for (guint i = 1; i < 10; i++)
    g_string_append_printf (bomb, "<!ENTITY lol%u \"&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;&lol%u;\">\n",
                            i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
  g_string_append (bomb, "]>\n<E><Eleve Nom=\"&lol9;\" Prenom=\"x\">&lol9;</Eleve></E>\n");
  start = g_get_monotonic_time ();
  assert_refused (bomb->str, -1, JN_ERROR_FORBIDDEN_CONTENT, "DOCTYPE");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  assert_refused ("<?xml version=\"1.0\"?>\n<!DOCTYPE E>\n<E/>", -1, JN_ERROR_FORBIDDEN_CONTENT, "line 2");

  g_remove (secret);
  g_rmdir (dir);
}


/* Class 3: everything bounded, refused with the line and the reason */

static char *
repeat (const char *piece,
        guint       n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (out, piece);

  return g_string_free (out, FALSE);
}

static void
test_bounds (void)
{
  g_autofree char *many_attributes = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *long_name = NULL;
  g_autofree char *long_idpn = NULL;
  g_autofree char *long_uai = NULL;
  g_autofree char *many_children = NULL;
  g_autoptr(GString) many_records = g_string_new ("<E>\n");
  g_autoptr(GString) attrs = g_string_new (NULL);
  g_autoptr(GString) children = g_string_new (NULL);
  g_autofree char *opens = repeat ("<a>", JN_XML_MAX_DEPTH + 1);
  g_autofree char *closes = repeat ("</a>", JN_XML_MAX_DEPTH + 1);
  g_autofree char *a1025 = repeat ("A", JN_RECORD_READER_MAX_VALUE + 1);
  g_autofree char *students = NULL;

  for (guint i = 0; i < 80000; i++)
    g_string_append_printf (attrs, " a%u=\"v\"", i);
  many_attributes = g_strdup_printf ("<E>\n\n<Eleve Nom=\"A\" Prenom=\"B\"%s/></E>", attrs->str);
  deep = g_strdup_printf ("<E>\n%s%s</E>", opens, closes);
  long_name = g_strdup_printf ("<E>\n<Eleve Nom=\"%s\" Prenom=\"B\"/></E>", a1025);
  long_idpn = g_strdup_printf ("<E>\n\n\n<Eleve IDPN=\"%s\"/></E>", a1025);
  long_uai = g_strdup_printf ("<E UAI=\"%s\"/>", a1025);
  for (guint i = 0; i <= JN_PERSON_MAX_CHILDREN; i++)
    g_string_append_printf (children, "<Eleve Ident=\"%u\" Nom=\"N%u\" Prenom=\"P\"/>", i, i);
  students = g_string_free (g_steal_pointer (&children), FALSE);
  children = g_string_new (students);
  g_string_append (children, "<Responsable Nom=\"R\" Prenom=\"S\">\n");
  for (guint i = 0; i <= JN_PERSON_MAX_CHILDREN; i++)
    g_string_append_printf (children, "<Eleve Ident=\"%u\"/>", i);
  g_string_append (children, "</Responsable>");
  many_children = g_strdup_printf ("<E>%s</E>", children->str);
  for (guint i = 0; i <= JN_RECORD_READER_MAX_RECORDS; i++)
    g_string_append_printf (many_records, "<Eleve Nom=\"N%u\" Prenom=\"P\"/>\n", i);
  g_string_append (many_records, "</E>");
#ifdef __SANITIZE_ADDRESS__
  /* 200,000 records take a minute under AddressSanitizer: see test_record_cap() */
  g_string_assign (many_records, "<E/>");
#endif

  {
    const struct
    {
      const char *about;
      const char *xml;
      int         code;
      const char *fragment;
    } cases[] = {
      { "attributes", many_attributes, JN_ERROR_TOO_LARGE, "line 3: an element has more than 256 attributes" },
      { "depth", deep, JN_ERROR_TOO_LARGE, "line 2: elements are nested more than 64 deep" },
      { "name", long_name, JN_ERROR_TOO_LARGE, "line 2: the attribute Nom is too long" },
      { "identifier", long_idpn, JN_ERROR_TOO_LARGE, "line 4: the attribute IDPN is too long" },
      { "UAI", long_uai, JN_ERROR_TOO_LARGE, "line 1: the attribute UAI is too long" },
      { "children", many_children, JN_ERROR_TOO_LARGE, "a relative has more than 500 children" },
#ifndef __SANITIZE_ADDRESS__
      { "records", many_records->str, JN_ERROR_TOO_LARGE, "more than 200000 records" },
#endif
      { "a value given twice",
        "<E>\n<Eleve Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\" idpn=\"" PN_B "\"/></E>",
        JN_ERROR_INVALID_FILE, "line 2: the attribute IDPN is given twice" },
    };

    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        gint64 start = g_get_monotonic_time ();

        g_test_message ("case: %s", cases[c].about);
        assert_refused (cases[c].xml, -1, cases[c].code, cases[c].fragment);
        /* 80,000 attributes took libxml2 ten seconds */
        g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
      }
  }

  /* Just within the limits: read */
  {
    g_autofree char *a1024 = repeat ("A", JN_RECORD_READER_MAX_VALUE);
    g_autofree char *ok = g_strdup_printf ("<E><Eleve Nom=\"%s\" Prenom=\"B\"/>%s</E>", a1024, students);
    g_autoptr(JnExportData) data = read_string (ok);

    g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, JN_PERSON_MAX_CHILDREN + 2);
  }
}

static void
test_record_cap (void)
{
  g_autoptr(GString) xml = g_string_new ("<E>\n");
  g_autoptr(GString) refs = g_string_new ("<E>\n<Eleve Ident=\"1\" Nom=\"A\" Prenom=\"B\"/>\n<Responsable Nom=\"R\" Prenom=\"S\">\n");
  g_autoptr(JnExportData) data = jn_export_data_new ();
  g_autoptr(JnExportData) data2 = jn_export_data_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  /* The same path as the 200,000 of test_bounds(), with a cap lowered to 100 */
  g_assert_cmpuint (data->max_records, ==, JN_RECORD_READER_MAX_RECORDS);
  data->max_records = 100;
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (xml, "<Eleve Nom=\"N%u\" Prenom=\"P\"/>\n", i);
  g_string_append (xml, "</E>");
  bytes = g_bytes_new (xml->str, xml->len);
  g_assert_true (jn_record_reader_read (bytes, "test.xml", data, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, 100);

  jn_export_data_free (data);
  data = jn_export_data_new ();
  data->max_records = 100;
  g_string_truncate (xml, xml->len - 4);
  g_string_append (xml, "<Professeur Nom=\"T\" Prenom=\"U\"/>\n</E>");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new (xml->str, xml->len);
  g_assert_false (jn_record_reader_read (bytes, "test.xml", data, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "test.xml: line 102: the export holds more than 100 records"));
  g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, 0);
  g_clear_error (&error);

  /* References to children are bounded the same way */
  data2->max_records = 100;
  for (guint i = 0; i <= 100; i++)
    g_string_append (refs, "<Eleve Ident=\"1\"/>");
  g_string_append (refs, "</Responsable></E>");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new (refs->str, refs->len);
  g_assert_false (jn_record_reader_read (bytes, "test.xml", data2, NULL, &error));
  g_assert_error (error, JN_ERROR, JN_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "more than 100 references"));
}

/* Class 4: what the bytes say is what is read */

static void
test_encoding_marks (void)
{
  static const char body[] = "<E><Eleve Nom=\"\xC3\x89LODIE\" Prenom=\"Zo\xC3\xA9\" IDPN=\"" PN_A "\"/></E>";
  static const struct
  {
    const char *about;
    const char *bom;
    gsize       bom_len;
    const char *declaration;
    gboolean    utf16;       /* FALSE: UTF-8 bytes; else UTF-16 in the BOM's order */
    gboolean    big_endian;
    const char *fragment;    /* NULL: read, with the names intact */
  } cases[] = {
    { "UTF-8 BOM, ISO-8859-1", "\xEF\xBB\xBF", 3, "ISO-8859-1", FALSE, FALSE, "the byte-order mark says UTF-8" },
    { "UTF-8 BOM, Windows-1252", "\xEF\xBB\xBF", 3, "windows-1252", FALSE, FALSE, "encoding=“windows-1252”" },
    { "UTF-8 BOM, UTF-16", "\xEF\xBB\xBF", 3, "UTF-16", FALSE, FALSE, "byte-order mark" },
    { "UTF-16LE BOM, UTF-8", "\xFF\xFE", 2, "UTF-8", TRUE, FALSE, "the byte-order mark says UTF-16LE" },
    { "UTF-16BE BOM, ISO-8859-1", "\xFE\xFF", 2, "ISO-8859-1", TRUE, TRUE, "the byte-order mark says UTF-16BE" },
    { "UTF-16BE BOM, UTF-16LE", "\xFE\xFF", 2, "UTF-16LE", TRUE, TRUE, "byte-order mark" },
    { "UTF-32LE BOM", "\xFF\xFE\0\0", 4, NULL, FALSE, FALSE, "UTF-32" },
    { "UTF-8 BOM, utf-8", "\xEF\xBB\xBF", 3, "utf-8", FALSE, FALSE, NULL },
    { "UTF-8 BOM, no declaration", "\xEF\xBB\xBF", 3, NULL, FALSE, FALSE, NULL },
    { "UTF-16LE BOM, UTF-16", "\xFF\xFE", 2, "UTF-16", TRUE, FALSE, NULL },
    { "UTF-16BE BOM, no declaration", "\xFE\xFF", 2, NULL, TRUE, TRUE, NULL },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char *text = cases[c].declaration
        ? g_strdup_printf ("<?xml version=\"1.0\" encoding=\"%s\"?>\n%s", cases[c].declaration, body)
        : g_strdup (body);
      g_autofree char *encoded = NULL;
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      gsize encoded_len = strlen (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(JnExportData) data = NULL;

      g_test_message ("case: %s", cases[c].about);
      if (cases[c].utf16)
        encoded = g_convert (text, -1, cases[c].big_endian ? "UTF-16BE" : "UTF-16LE", "UTF-8",
                             NULL, &encoded_len, NULL);
      else
        encoded = g_strdup (text);
      g_byte_array_append (bytes, (const guint8 *)cases[c].bom, cases[c].bom_len);
      g_byte_array_append (bytes, (const guint8 *)encoded, encoded_len);

      data = read_string_full ((const char *)bytes->data, bytes->len, &error);
      if (cases[c].fragment != NULL)
        {
          g_assert_null (data);
          g_assert_error (error, JN_ERROR, JN_ERROR_INVALID_FILE);
          g_assert_nonnull (strstr (error->message, "test.xml: line 1:"));
          if (strstr (error->message, cases[c].fragment) == NULL)
            g_error ("“%s” not in “%s”", cases[c].fragment, error->message);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (jn_person_get_family_name (g_ptr_array_index (data->records[JN_CATEGORY_STUDENT], 0)), ==, "ÉLODIE");
      g_assert_cmpstr (jn_person_get_given_name (g_ptr_array_index (data->records[JN_CATEGORY_STUDENT], 0)), ==, "Zoé");
    }
}

static void
test_foreign_namespace (void)
{
  static const struct
  {
    const char *about;
    const char *xml;
    guint       n_students;
    const char *pronote_id;   /* of the first student, or NULL */
    const char *family_name;
    const char *uai;
  } cases[] = {
    { "x:IDPN does not make a record",
      "<E xmlns:x=\"urn:other\"><Eleve x:IDPN=\"" PN_A "\" Nom=\"A\"/></E>", 0, NULL, NULL, NULL },
    { "x:IDPN is not the record's identifier",
      "<E xmlns:x=\"urn:other\"><Eleve x:IDPN=\"" PN_A "\" Nom=\"A\" Prenom=\"B\"/></E>", 1, NULL, "A", NULL },
    { "x:IDPN before IDPN does not take its place",
      "<E xmlns:x=\"urn:other\"><Eleve x:IDPN=\"" PN_A "\" IDPN=\"" PN_B "\" Nom=\"A\" Prenom=\"B\"/></E>", 1, PN_B, "A", NULL },
    { "x:Nom before Nom",
      "<E xmlns:x=\"urn:other\"><Eleve x:Nom=\"FORGED\" Nom=\"REAL\" Prenom=\"B\" IDPN=\"" PN_A "\"/></E>", 1, PN_A, "REAL", NULL },
    { "x:UAI on the root",
      "<E xmlns:x=\"urn:other\" x:UAI=\"9999999Z\" UAI=\"0312609T\"/>", 0, NULL, NULL, "0312609T" },
    { "xml:lang is not ours either",
      "<E><Eleve xml:lang=\"fr\" Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\"/></E>", 1, PN_A, "A", NULL },
    { "the element's own prefix is ours",
      "<ie:E xmlns:ie=\"urn:ie\" ie:UAI=\"0312609T\"><ie:Eleve ie:IDPN=\"" PN_A "\" ie:Nom=\"A\" Prenom=\"B\"/></ie:E>", 1, PN_A, "A", "0312609T" },
    { "a default namespace is ours",
      "<E xmlns=\"urn:ie\" UAI=\"0312609T\"><Eleve IDPN=\"" PN_A "\" Nom=\"A\" Prenom=\"B\"/></E>", 1, PN_A, "A", "0312609T" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JnExportData) data = read_string (cases[c].xml);

      g_test_message ("case: %s", cases[c].about);
      g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, cases[c].n_students);
      g_assert_cmpstr (data->uai, ==, cases[c].uai);
      if (cases[c].n_students > 0)
        {
          JnPerson *person = g_ptr_array_index (data->records[JN_CATEGORY_STUDENT], 0);

          g_assert_cmpstr (jn_person_get_pronote_id (person), ==, cases[c].pronote_id);
          g_assert_cmpstr (jn_person_get_family_name (person), ==, cases[c].family_name);
        }
    }
}

static void
test_hostile_bytes (void)
{
  /* Refused by libxml2 already (guards), and kept as they are when valid XML: the
   * escaping happens where they are printed. */
  assert_refused ("<E>\n<Eleve Nom=\"A\0B\" Prenom=\"C\"/></E>", 36, JN_ERROR_INVALID_FILE, "line 2");
  assert_refused ("<E>\n<Eleve Nom=\"A\xC0\xAF" "B\" Prenom=\"C\"/></E>", -1, JN_ERROR_INVALID_FILE, "line 2");
  assert_refused ("<E>\n<Eleve Nom=\"A\xFF" "B\" Prenom=\"C\"/></E>", -1, JN_ERROR_INVALID_FILE, "line 2");
  assert_refused ("<E>\n<Eleve Nom=\"A&#1;B\" Prenom=\"C\"/></E>", -1, JN_ERROR_INVALID_FILE, "line 2");

  {
    g_autoptr(JnExportData) data = read_string (
      "<E><Eleve Nom=\"A\xE2\x80\xAE" "B\" Prenom=\"C&#x85;D\" IDPN=\"" PN_A "\"/></E>");
    JnPerson *person = g_ptr_array_index (data->records[JN_CATEGORY_STUDENT], 0);

    g_assert_cmpstr (jn_person_get_family_name (person), ==, "A\xE2\x80\xAE" "B");
    g_assert_cmpstr (jn_person_get_given_name (person), ==, "C\xC2\x85" "D");
  }
}

static void
test_cancel (void)
{
  g_autoptr(GString) xml = g_string_new ("<E>");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JnExportData) data = jn_export_data_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (xml, "<Eleve Nom=\"N%u\" Prenom=\"P\" Ident=\"%u\"/>", i, i);
  g_string_append (xml, "</E>");
  bytes = g_bytes_new (xml->str, xml->len);

  g_cancellable_cancel (cancellable);
  g_assert_false (jn_record_reader_read (bytes, "big.xml", data, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, 0);
}

/* Under AddressSanitizer (slow mallocs with full unwinding) the inputs are too small to
 * show a quadratic cost: only the results are checked there, the times loosely */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifdef UNDER_ASAN
#define SCALE_RECORDS 2000
#define SCALE_SECONDS 20
#else
#define SCALE_RECORDS 50000
#define SCALE_SECONDS 3
#endif

static const char * const shared_ids[] = {
  "HUP2NFZQRYAD7EXS", "KVX8NTH4DPQ3SYU7", "DK4BZJEQWCHP98RS", "8P4BHZJQ79SUNFX3", "5TTU8WZF7YDYMSEU",
};

static guint
count_warnings (JnExportData *data,
                const char   *fragment)
{
  guint n = 0;

  for (guint i = 0; i < data->warnings->len; i++)
    n += strstr (g_ptr_array_index (data->warnings, i), fragment) != NULL;

  return n;
}

/* Records sharing an IDPN or an Ident used to be compared pairwise while the file was read:
 * 20,000 holders of one IDPN took 11 s, 210,000 more than ten minutes. */
static void
test_shared_ids_scale (void)
{
  static const struct
  {
    const char *about;
    guint       category;
    guint       records;     /* -1: SCALE_RECORDS */
    guint       flagged;     /* -1: SCALE_RECORDS */
    guint       warnings;    /* "is also given" */
  } cases[] = {
    { "different teachers sharing 5 IDPNs", JN_CATEGORY_TEACHER, -1, -1, 5 },
    { "namesakes sharing 5 IDPNs, told apart by Ident", JN_CATEGORY_STAFF, -1, -1, 5 },
    { "different students without IDPN sharing one Ident", JN_CATEGORY_STUDENT, -1, 0, 0 },
    { "students with their own IDPN sharing one Ident", JN_CATEGORY_STUDENT, -1, 0, 0 },
    { "one parent per IDPN, repeated under every child", JN_CATEGORY_RELATIVE, 5, 0, 0 },
    { "one parent repeated, at last with a birth date", JN_CATEGORY_RELATIVE, 1, 0, 0 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GString) xml = g_string_new ("<E>\n");
      g_autoptr(JnExportData) data = NULL;
      guint expected = cases[c].records == (guint)-1 ? SCALE_RECORDS : cases[c].records;
      guint flagged = cases[c].flagged == (guint)-1 ? SCALE_RECORDS : cases[c].flagged;
      gint64 start;

      for (guint i = 0; i < SCALE_RECORDS; i++)
        {
          const char *shared = shared_ids[i % G_N_ELEMENTS (shared_ids)];

          switch (c)
            {
            case 0:
              g_string_append_printf (xml, "<Professeur Nom=\"N%u\" Prenom=\"P\" IDPN=\"%s\"/>\n", i, shared);
              break;
            case 1:
              g_string_append_printf (xml, "<Personnel Ident=\"%u\" Nom=\"N\" Prenom=\"P\" IDPN=\"%s\"/>\n", i, shared);
              break;
            case 2:
              g_string_append_printf (xml, "<Eleve Ident=\"1\" Nom=\"N%u\" Prenom=\"P\"/>\n", i);
              break;
            case 3:
              g_string_append_printf (xml, "<Eleve Ident=\"1\" Nom=\"N%u\" Prenom=\"P\" IDPN=\"S%015u\"/>\n", i, i);
              break;
            case 4:
              g_string_append_printf (xml, "<Responsable Ident=\"9\" Nom=\"N\" Prenom=\"P\" IDPN=\"%s\"/>\n", shared);
              break;
            default:
              g_string_append (xml, "<Responsable Nom=\"N\" Prenom=\"P\" IDPN=\"HUP2NFZQRYAD7EXS\"/>\n");
              break;
            }
        }
      if (c == 5)
        g_string_append (xml, "<Responsable Nom=\"N\" Prenom=\"P\" DateNaissance=\"2000-01-01\" "
                              "IDPN=\"HUP2NFZQRYAD7EXS\"/>\n");
      g_string_append (xml, "</E>");

      start = g_get_monotonic_time ();
      data = read_string (xml->str);
      g_test_message ("case %s: %u records read in %.3f s", cases[c].about, SCALE_RECORDS,
                      (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC);
      g_assert_cmpint (g_get_monotonic_time () - start, <, SCALE_SECONDS * G_USEC_PER_SEC);
      g_assert_cmpuint (data->records[cases[c].category]->len, ==, expected);
      g_assert_cmpuint (count_flagged (data, cases[c].category), ==, flagged);
      g_assert_cmpuint (count_warnings (data, "is also given"), ==, cases[c].warnings);
    }
}

/* many.xml: 210,000 teachers sharing 8 IDPNs are refused at the record cap, quickly */
static void
test_shared_ids_cap (void)
{
  g_autoptr(GString) xml = g_string_new ("<E>\n");
  g_autoptr(JnExportData) data = jn_export_data_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gint64 start;

  /* The real cap, but a hundredth of it under a sanitizer */
#ifdef UNDER_ASAN
  data->max_records = JN_RECORD_READER_MAX_RECORDS / 100;
#endif
  for (guint i = 0; i <= data->max_records + 10; i++)
    g_string_append_printf (xml, "<Professeur Nom=\"N%u\" Prenom=\"P\" IDPN=\"%s\"/>\n",
                            i, shared_ids[i % G_N_ELEMENTS (shared_ids)]);
  g_string_append (xml, "</E>");
  bytes = g_bytes_new (xml->str, xml->len);

  start = g_get_monotonic_time ();
  g_assert_false (jn_record_reader_read (bytes, "many.xml", data, NULL, &error));
  g_test_message ("refused in %.3f s", (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * SCALE_SECONDS * G_USEC_PER_SEC);
  g_assert_error (error, JN_ERROR, JN_ERROR_TOO_LARGE);
  /* Past line 65535 libxml2 only gives a line near the element's */
  expected = g_strdup_printf (": the export holds more than %u records", data->max_records);
  g_assert_true (g_str_has_prefix (error->message, "many.xml: line "));
  g_assert_true (g_str_has_suffix (error->message, expected));
  g_assert_cmpuint (data->records[JN_CATEGORY_TEACHER]->len, ==, 0);
}

#define OWN_NS "http://www.index-education.com/exportidentifiants"

/* Only elements of no namespace or of the root's are records; a foreign one is skipped
 * with its content, and said once per export. */
static void
test_foreign_elements (void)
{
  static const struct
  {
    const char *about;
    const char *xml;
    guint       n_students;
    guint       n_relatives;
    const char *warning;     /* NULL: no warning at all */
  } cases[] = {
    { "a foreign student in a normal export",
      "<E xmlns=\"" OWN_NS "\" UAI=\"0312609T\">\n<Eleves><e:Eleve xmlns:e=\"urn:evil\" Nom=\"EVIL\" Prenom=\"Eve\" IDPN=\"" PN_A "\"/>\n"
      "<Eleve Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_B "\"/></Eleves></E>",
      1, 0, "test.xml:2: the element “e:Eleve” of the foreign namespace “urn:evil” is ignored" },
    { "a foreign default namespace on the element",
      "<E xmlns=\"" OWN_NS "\"><Eleve xmlns=\"urn:evil\" Nom=\"EVIL\" Prenom=\"Eve\" IDPN=\"" PN_A "\"/></E>",
      0, 0, "the element “Eleve” of the foreign namespace “urn:evil”" },
    { "a namespaced element in an export without namespace",
      "<E><Eleve xmlns=\"urn:evil\" Nom=\"EVIL\" Prenom=\"Eve\"/><Eleve Nom=\"A\" Prenom=\"B\"/></E>",
      1, 0, "“urn:evil”" },
    { "the content of a foreign element is skipped with it",
      "<E><e:Eleves xmlns:e=\"urn:evil\"><Eleve Nom=\"EVIL\" Prenom=\"Eve\"><Responsable Nom=\"X\" Prenom=\"Y\"/></Eleve></e:Eleves>"
      "<Eleve Nom=\"A\" Prenom=\"B\"/></E>",
      1, 0, "“e:Eleves”" },
    { "nested foreign elements of one name",
      "<E><e:X xmlns:e=\"urn:evil\"><e:X><Eleve Nom=\"E1\" Prenom=\"E\"/></e:X><Eleve Nom=\"E2\" Prenom=\"E\"/></e:X>"
      "<Eleve Nom=\"A\" Prenom=\"B\"/></E>",
      1, 0, "“e:X”" },
    { "a foreign relative under a real student",
      "<E><Eleve Nom=\"A\" Prenom=\"B\"><r:Responsable xmlns:r=\"urn:evil\" Nom=\"X\" Prenom=\"Y\" IDPN=\"" PN_A "\"/></Eleve></E>",
      1, 0, "“r:Responsable”" },
    { "one warning for many foreign elements",
      "<E xmlns:e=\"urn:evil\"><e:Eleve Nom=\"1\" Prenom=\"E\"/><e:Eleve Nom=\"2\" Prenom=\"E\"/><e:Autre/></E>",
      0, 0, "foreign namespace" },
    { "the element is shown escaped",
      "<E><e:\u00C9l\u00E8ve xmlns:e=\"urn:evil\" Nom=\"1\" Prenom=\"E\"/></E>",
      0, 0, "“e:\\u00C9l\\u00E8ve”" },
    { "the export's own namespace under another prefix is ours",
      "<E xmlns=\"" OWN_NS "\"><ie:Eleve xmlns:ie=\"" OWN_NS "\" Nom=\"A\" Prenom=\"B\" IDPN=\"" PN_A "\"/></E>",
      1, 0, NULL },
    { "no namespace inside a namespaced export is ours",
      "<E xmlns=\"" OWN_NS "\"><Eleve xmlns=\"\" Nom=\"A\" Prenom=\"B\"/></E>",
      1, 0, NULL },
    { "a prefixed root's namespace is the export's",
      "<ie:E xmlns:ie=\"urn:ie\"><ie:Eleve Nom=\"A\" Prenom=\"B\"><ie:Responsable Nom=\"C\" Prenom=\"D\"/></ie:Eleve></ie:E>",
      1, 1, NULL },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(JnExportData) data = read_string (cases[c].xml);

      g_test_message ("case: %s", cases[c].about);
      g_assert_cmpuint (data->records[JN_CATEGORY_STUDENT]->len, ==, cases[c].n_students);
      g_assert_cmpuint (data->records[JN_CATEGORY_RELATIVE]->len, ==, cases[c].n_relatives);
      if (cases[c].warning == NULL)
        {
          g_assert_cmpuint (data->warnings->len, ==, 0);
          continue;
        }
      if (!has_warning (data, cases[c].warning))
        g_error ("%s: no warning with “%s”", cases[c].about, cases[c].warning);
      g_assert_cmpuint (count_warnings (data, "foreign namespace"), ==, 1);
      g_assert_cmpuint (data->n_warnings, ==, 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/reader/canonical", test_canonical);
  g_test_add_func ("/reader/timetable-style", test_timetable_style);
  g_test_add_func ("/reader/top-level-relatives", test_top_level_relatives);
  g_test_add_func ("/reader/dates", test_dates);
  g_test_add_func ("/reader/encodings", test_encodings);
  g_test_add_func ("/reader/empty-categories", test_empty_categories);
  g_test_add_func ("/reader/broken", test_broken);
  g_test_add_func ("/reader/hostile", test_hostile);
  g_test_add_func ("/reader/cancel", test_cancel);
  g_test_add_func ("/reader/class1/duplicate-ids", test_duplicate_ids);
  g_test_add_func ("/reader/class1/shared-parent-children", test_shared_parent_children);
  g_test_add_func ("/reader/class1/invalid-ids", test_invalid_ids);
  g_test_add_func ("/reader/class1/many-warnings", test_many_warnings);
  g_test_add_func ("/reader/class3/bounds", test_bounds);
  g_test_add_func ("/reader/class3/record-cap", test_record_cap);
  g_test_add_func ("/reader/class4/encoding-marks", test_encoding_marks);
  g_test_add_func ("/reader/class4/foreign-namespace", test_foreign_namespace);
  g_test_add_func ("/reader/class4/hostile-bytes", test_hostile_bytes);
  g_test_add_func ("/reader/shared-ids/scale", test_shared_ids_scale);
  g_test_add_func ("/reader/shared-ids/cap", test_shared_ids_cap);
  g_test_add_func ("/reader/foreign-elements", test_foreign_elements);

  return g_test_run ();
}
