/* jn-ui-utils.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-ui-utils.h"

static char *
format_iso_date (const char *text)
{
  int year, month, day, consumed = 0;

  if (sscanf (text, "%4d-%2d-%2d%n", &year, &month, &day, &consumed) != 3 ||
      text[consumed] != '\0' || consumed != 10 ||
      !g_date_valid_dmy (day, month, year))
    return NULL;

  return g_strdup_printf ("%02d/%02d/%04d", day, month, year);
}

char *
jn_format_export_date (const char *text)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) date_time = NULL;
  char *date;

  if (text == NULL || *text == '\0')
    return NULL;

  if ((date = format_iso_date (text)) != NULL)
    return date;

  /* Shown at the wall-clock time written in the file, whatever the local time zone. */
  utc = g_time_zone_new_utc ();
  date_time = g_date_time_new_from_iso8601 (text, utc);
  if (date_time == NULL)
    return g_strdup (text);

  /* Translators: the date and time of a PRONOTE export, see strftime(3); in French
   * "%d/%m/%Y à %H:%M" */
  return g_date_time_format (date_time, _("%d/%m/%Y at %H:%M"));
}

char *
jn_format_count (guint count)
{
  return g_strdup_printf ("%'u", count);
}

char *
jn_format_establishment (const char *establishment,
                         const char *uai)
{
  gboolean has_establishment = establishment != NULL && *establishment != '\0';
  gboolean has_uai = uai != NULL && *uai != '\0';

  if (has_establishment && has_uai)
    return g_strdup_printf ("%s · %s", establishment, uai);
  if (has_establishment)
    return g_strdup (establishment);
  if (has_uai)
    return g_strdup (uai);

  return NULL;
}

char *
jn_format_partners (const char * const *partners)
{
  if (partners == NULL || partners[0] == NULL)
    return NULL;

  return g_strjoinv (", ", (char **)partners);
}

gboolean
jn_transform_or_unknown (GBinding     *binding,
                         const GValue *from,
                         GValue       *to,
                         gpointer      user_data)
{
  const char *text = g_value_get_string (from);

  g_value_set_string (to, text != NULL && *text != '\0' ? text : _("Unknown"));
  return TRUE;
}

gboolean
jn_transform_export_date (GBinding     *binding,
                          const GValue *from,
                          GValue       *to,
                          gpointer      user_data)
{
  char *date = jn_format_export_date (g_value_get_string (from));

  g_value_take_string (to, date != NULL ? date : g_strdup (_("Unknown")));
  return TRUE;
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *mime_type,
            const char    **patterns)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  if (mime_type != NULL)
    gtk_file_filter_add_mime_type (filter, mime_type);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

GtkFileChooserNative *
jn_export_chooser_new (GtkWindow *parent)
{
  static const char *xml[] = { "*.xml", "*.XML", NULL };
  static const char *all[] = { "*", NULL };
  GtkFileChooserNative *native;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  native = gtk_file_chooser_native_new (_("Import a PRONOTE File"), parent,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  add_filter (GTK_FILE_CHOOSER (native), _("PRONOTE Exports"), "application/xml", xml);
  add_filter (GTK_FILE_CHOOSER (native), _("All Files"), NULL, all);

  return native;
}

GtkFileChooserNative *
jn_key_chooser_new (GtkWindow *parent)
{
  static const char *keys[] = { "*.pem", "*.der", "*.key", "*.PEM", "*.DER", "*.KEY", NULL };
  static const char *all[] = { "*", NULL };
  GtkFileChooserNative *native;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  native = gtk_file_chooser_native_new (_("Choose the Partner Key"), parent,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  add_filter (GTK_FILE_CHOOSER (native), _("Private Keys (PEM, DER)"), NULL, keys);
  add_filter (GTK_FILE_CHOOSER (native), _("All Files"), NULL, all);

  return native;
}
