/* fuzz-snapshot.c: an ENT snapshot (jn_directory_load_file(), a SCIM ListResponse of every
 * user), written back (jn_directory_to_json) and read again, then matched against a small
 * fixed export in both modes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-match-common.h"

static FuzzFile input;
static JnExport *export;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  fuzz_file_init (&input, "snapshot.json");
  export = fuzz_load_export ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JnDirectory) directory = jn_directory_new (JN_DEFAULT_EXTENSION_URN);
  g_autoptr(JnDirectory) again = jn_directory_new (JN_DEFAULT_EXTENSION_URN);
  g_autoptr(JnMatcher) matcher = NULL;
  g_autoptr(JsonNode) written = NULL;
  g_autoptr(GError) error = NULL;
  GFile *file = fuzz_file_set (&input, data, size);
  guint n_again = 0;

  if (!jn_directory_load_file (directory, file, NULL, &error))
    {
      g_assert (error != NULL);
      return 0;
    }

  /* What a file ENT writes back must read again, with as many users */
  written = jn_directory_to_json (directory);
  g_assert (written != NULL);
  if (!jn_directory_add_list_response (again, written, "written", &n_again, &error))
    g_error ("a snapshot written back does not read again: %s", error->message);
  g_assert_cmpuint (jn_directory_get_n_users (again), ==, jn_directory_get_n_users (directory));

  matcher = jn_matcher_new (directory, FUZZ_UAI);
  for (JnImportMode mode = JN_IMPORT_MODE_PARTIAL; mode <= JN_IMPORT_MODE_COMPLETE; mode++)
    {
      g_autoptr(JnPlan) plan = jn_matcher_match (matcher, export, mode, NULL, &error);

      if (plan == NULL)
        {
          g_assert (error != NULL);
          g_clear_error (&error);
          continue;
        }
      fuzz_walk_plan (plan);
    }

  return 0;
}
