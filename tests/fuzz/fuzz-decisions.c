/* fuzz-decisions.c: a decisions file (jn_decisions_load(), cli.md), then applied by the
 * matcher to a small fixed export and snapshot in both modes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-common.h"
#include "fuzz-match-common.h"

static FuzzFile input;
static JnExport *export;
static JnMatcher *matcher;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autoptr(JnDirectory) directory = NULL;

  fuzz_init ();
  fuzz_file_init (&input, "decisions.json");
  export = fuzz_load_export ();
  directory = fuzz_load_directory ();
  matcher = jn_matcher_new (directory, FUZZ_UAI);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GHashTable) decisions = NULL;
  g_autoptr(GError) error = NULL;
  GFile *file = fuzz_file_set (&input, data, size);

  decisions = jn_decisions_load (file, &error);
  if (decisions == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }

  for (JnImportMode mode = JN_IMPORT_MODE_PARTIAL; mode <= JN_IMPORT_MODE_COMPLETE; mode++)
    {
      g_autoptr(JnPlan) plan = jn_matcher_match (matcher, export, mode, decisions, &error);

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
