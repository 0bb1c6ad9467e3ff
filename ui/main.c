/* main.c: the jonction GUI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "jn-application.h"

int
main (int   argc,
      char *argv[])
{
  GSettingsSchemaSource *source;
  const char *localedir;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(JnApplication) application = NULL;

  setlocale (LC_ALL, "");
  /* Run from the build tree (build-aux/run-demo.sh), the catalogues are in BUILDDIR/po, not
   * under the install prefix: JONCTION_LOCALEDIR points there */
  localedir = g_getenv ("JONCTION_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Without its schema GSettings aborts; say how to run from the build tree instead. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr (_("The settings schema %s is not installed. From a build tree, run "
                    "“meson devenv -C BUILDDIR jonction” or set "
                    "GSETTINGS_SCHEMA_DIR=BUILDDIR/data.\n"),
                  APP_ID);
      return 1;
    }

  application = jn_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
