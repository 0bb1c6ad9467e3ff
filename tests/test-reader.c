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

  return g_test_run ();
}
