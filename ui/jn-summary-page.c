/* jn-summary-page.c
 *
 * The labels follow the export's properties and category models, so the page is right
 * after each load without being told.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-summary-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-person.h"
#include "jn-summary-page.h"
#include "jn-ui-utils.h"

struct _JnSummaryPage
{
  AdwBin               parent_instance;

  /* template widgets */
  GtkLabel            *total_title_label;
  GtkLabel            *file_label;
  GtkLabel            *directory_label;
  AdwPreferencesGroup *warnings_group;
  GtkLabel            *establishment_label;
  GtkLabel            *uai_label;
  GtkLabel            *date_label;
  GtkLabel            *software_label;
  GtkLabel            *encrypted_label;
  AdwActionRow        *partners_row;
  GtkLabel            *partners_label;
  AdwPreferencesGroup *users_group;

  /* owned */
  JnExport            *export;
  GBindingGroup       *bindings;
  GSignalGroup        *signals;
  GSettings           *settings;
  GPtrArray           *warning_rows;
  GtkLabel            *total_label;
  GPtrArray           *core_warnings;  /* the session's, replacing the page's own rules */

  /* per category, indexed by JnCategory */
  GtkLabel            *count_labels[JN_N_CATEGORIES];
  gulong               items_changed_ids[JN_N_CATEGORIES];
  gboolean             has_cas_ids[JN_N_CATEGORIES];
};

enum {
  PROP_0,
  PROP_EXPORT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnSummaryPage, jn_summary_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static void
add_warning (JnSummaryPage *self,
             gboolean       is_warning,
             const char    *message)
{
  const char *icon_name = is_warning ? "dialog-warning-symbolic" : "dialog-information-symbolic";
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), message);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (icon, is_warning ? "warning" : "accent");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  is_warning ? _("Warning") : _("Information"),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  adw_preferences_group_add (self->warnings_group, row);
  g_ptr_array_add (self->warning_rows, row);
}

static void
update_warnings (JnSummaryPage *self)
{
  g_autofree char *configured_uai = g_settings_get_string (self->settings, "uai");
  const char *uai = self->export ? jn_export_get_uai (self->export) : NULL;
  guint n_records = 0;
  gboolean has_cas_ids = FALSE;

  for (guint i = 0; i < self->warning_rows->len; i++)
    adw_preferences_group_remove (self->warnings_group, g_ptr_array_index (self->warning_rows, i));
  g_ptr_array_set_size (self->warning_rows, 0);

  if (self->export == NULL || !jn_export_get_loaded (self->export))
    goto out;

  if (self->core_warnings != NULL)
    {

      /* The session's words, an empty file included */
      for (guint i = 0; i < self->core_warnings->len; i++)
        add_warning (self, TRUE, g_ptr_array_index (self->core_warnings, i));
      goto out;
    }

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      n_records += jn_export_get_count (self->export, i);
      has_cas_ids |= self->has_cas_ids[i];
    }

  if (n_records == 0)
    add_warning (self, TRUE, _("This file contains no users"));

  if (*configured_uai != '\0' && uai != NULL && g_ascii_strcasecmp (configured_uai, uai) != 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("This file is for the establishment %s, but the ENT is set up for %s"),
                         uai, configured_uai);

      add_warning (self, TRUE, message);
    }

  if (n_records > 0 && !has_cas_ids)
    add_warning (self, FALSE,
                 _("No user in this file has connected through an ENT yet: it may be a partial "
                   "export, with the newcomers only"));

out:
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_group), self->warning_rows->len > 0);
}

static void
update_total (JnSummaryPage *self)
{
  guint total = 0;
  g_autofree char *count = NULL;
  g_autofree char *title = NULL;

  for (guint i = 0; self->export != NULL && i < JN_N_CATEGORIES; i++)
    total += jn_export_get_count (self->export, i);

  count = jn_format_count (total);
  gtk_label_set_label (self->total_label, count);
  /* Translators: the number of people in a PRONOTE export, e.g. "1 160 users" */
  title = g_strdup_printf (ngettext ("%s user", "%s users", total), count);
  gtk_label_set_label (self->total_title_label, title);
}

static void
update_category (JnSummaryPage *self,
                 JnCategory     category)
{
  GListModel *model = NULL;
  guint n_items = 0;
  g_autofree char *count = NULL;

  if (self->export != NULL)
    {
      model = jn_export_get_category_model (self->export, category);
      n_items = g_list_model_get_n_items (model);
    }

  self->has_cas_ids[category] = FALSE;
  for (guint i = 0; i < n_items && !self->has_cas_ids[category]; i++)
    {
      g_autoptr(JnPerson) person = g_list_model_get_item (model, i);

      self->has_cas_ids[category] = jn_person_get_cas_id (person) != NULL;
    }

  count = jn_format_count (n_items);
  gtk_label_set_label (self->count_labels[category], count);
  if (n_items == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->count_labels[category]), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->count_labels[category]), "dim-label");

  update_total (self);
  update_warnings (self);
}

static void
category_items_changed_cb (JnSummaryPage *self,
                           guint          position,
                           guint          removed,
                           guint          added,
                           GListModel    *model)
{
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    if (jn_export_get_category_model (self->export, i) == model)
      update_category (self, i);
}

static void
update_encryption (JnSummaryPage *self)
{
  const char * const *partners = NULL;
  const char *partner = NULL;
  gboolean encrypted = FALSE;
  g_autofree char *joined = NULL;
  g_autofree char *value = NULL;

  if (self->export != NULL)
    {
      encrypted = jn_export_get_encrypted (self->export);
      partners = jn_export_get_partners (self->export);
      partner = jn_export_get_partner (self->export);
    }

  if (!encrypted)
    value = g_strdup (_("No"));
  else if (partner != NULL)
    /* Translators: the export is encrypted and the key of this partner opened it */
    value = g_strdup_printf (_("Yes, opened with the key of %s"), partner);
  else
    value = g_strdup (_("Yes"));
  gtk_label_set_label (self->encrypted_label, value);

  joined = jn_format_partners (partners);
  gtk_label_set_label (self->partners_label, joined);
  gtk_widget_set_visible (GTK_WIDGET (self->partners_row), encrypted && joined != NULL);
}

static void
update_file (JnSummaryPage *self)
{
  GFile *file = self->export ? jn_export_get_file (self->export) : NULL;
  g_autofree char *basename = file ? g_file_get_basename (file) : NULL;
  g_autofree char *name = basename ? g_filename_display_name (basename) : NULL;

  gtk_label_set_label (self->file_label, name);
}

static void
export_notify_cb (JnSummaryPage *self,
                  GParamSpec    *pspec,
                  JnExport      *export)
{
  if (g_str_equal (pspec->name, "file"))
    update_file (self);
  else if (g_str_equal (pspec->name, "encrypted") || g_str_equal (pspec->name, "partner") ||
           g_str_equal (pspec->name, "partners"))
    update_encryption (self);
  else if (g_str_equal (pspec->name, "uai") || g_str_equal (pspec->name, "loaded"))
    update_warnings (self);
}

static void
disconnect_models (JnSummaryPage *self)
{
  for (guint i = 0; self->export != NULL && i < JN_N_CATEGORIES; i++)
    g_clear_signal_handler (&self->items_changed_ids[i],
                            jn_export_get_category_model (self->export, i));
}

static void
jn_summary_page_dispose (GObject *object)
{
  JnSummaryPage *self = JN_SUMMARY_PAGE (object);

  disconnect_models (self);
  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_SUMMARY_PAGE);

  g_clear_object (&self->export);
  g_clear_object (&self->bindings);
  g_clear_object (&self->signals);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->warning_rows, g_ptr_array_unref);
  g_clear_pointer (&self->core_warnings, g_ptr_array_unref);

  G_OBJECT_CLASS (jn_summary_page_parent_class)->dispose (object);
}

static void
jn_summary_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  JnSummaryPage *self = JN_SUMMARY_PAGE (object);

  switch (prop_id)
    {
    case PROP_EXPORT:
      g_value_set_object (value, self->export);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_summary_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  JnSummaryPage *self = JN_SUMMARY_PAGE (object);

  switch (prop_id)
    {
    case PROP_EXPORT:
      jn_summary_page_set_export (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_summary_page_class_init (JnSummaryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_summary_page_dispose;
  object_class->get_property = jn_summary_page_get_property;
  object_class->set_property = jn_summary_page_set_property;

  properties[PROP_EXPORT] =
    g_param_spec_object ("export", NULL, NULL,
                         JN_TYPE_EXPORT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-summary-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, total_title_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, file_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, directory_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, warnings_group);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, establishment_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, uai_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, date_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, software_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, encrypted_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, partners_row);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, partners_label);
  gtk_widget_class_bind_template_child (widget_class, JnSummaryPage, users_group);
}

static GtkLabel *
add_count_row (JnSummaryPage *self,
               const char    *title)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new ("0");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  adw_preferences_group_add (self->users_group, row);

  return GTK_LABEL (label);
}

static void
settings_changed_cb (JnSummaryPage *self,
                     const char    *key,
                     GSettings     *settings)
{
  update_warnings (self);
}

static void
jn_summary_page_init (JnSummaryPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->warning_rows = g_ptr_array_new ();
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::uai",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    self->count_labels[i] = add_count_row (self, jn_category_get_label (i));
  self->total_label = add_count_row (self, _("Total"));
  gtk_widget_add_css_class (GTK_WIDGET (self->total_label), "heading");

  self->bindings = g_binding_group_new ();
  g_binding_group_bind_full (self->bindings, "establishment", self->establishment_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_or_unknown, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "uai", self->uai_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_or_unknown, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "exported-at", self->date_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_export_date, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "software", self->software_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_or_unknown, NULL, NULL, NULL);

  self->signals = g_signal_group_new (JN_TYPE_EXPORT);
  g_signal_group_connect_object (self->signals, "notify", G_CALLBACK (export_notify_cb),
                                 self, G_CONNECT_SWAPPED);

  jn_summary_page_set_export (self, NULL);
}

GtkWidget *
jn_summary_page_new (void)
{
  return g_object_new (JN_TYPE_SUMMARY_PAGE, NULL);
}

JnExport *
jn_summary_page_get_export (JnSummaryPage *self)
{
  g_return_val_if_fail (JN_IS_SUMMARY_PAGE (self), NULL);

  return self->export;
}

void
jn_summary_page_set_export (JnSummaryPage *self,
                            JnExport      *export)
{
  g_return_if_fail (JN_IS_SUMMARY_PAGE (self));
  g_return_if_fail (export == NULL || JN_IS_EXPORT (export));

  if (self->export == export && export != NULL)
    return;

  disconnect_models (self);
  g_set_object (&self->export, export);

  for (guint i = 0; export != NULL && i < JN_N_CATEGORIES; i++)
    {
      GListModel *model = jn_export_get_category_model (export, i);

      self->items_changed_ids[i] =
        g_signal_connect_object (model, "items-changed",
                                 G_CALLBACK (category_items_changed_cb), self, G_CONNECT_SWAPPED);
    }

  g_binding_group_set_source (self->bindings, export);
  g_signal_group_set_target (self->signals, export);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    update_category (self, i);
  update_encryption (self);
  update_file (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
}

void
jn_summary_page_set_warnings (JnSummaryPage *self,
                              GPtrArray     *warnings)
{
  g_return_if_fail (JN_IS_SUMMARY_PAGE (self));

  g_clear_pointer (&self->core_warnings, g_ptr_array_unref);
  if (warnings != NULL)
    self->core_warnings = g_ptr_array_ref (warnings);
  update_warnings (self);
}

guint
jn_summary_page_get_n_warnings (JnSummaryPage *self)
{
  g_return_val_if_fail (JN_IS_SUMMARY_PAGE (self), 0);

  return self->warning_rows->len;
}

void
jn_summary_page_set_directory (JnSummaryPage *self,
                               JnDirectory   *directory,
                               const char    *uai)
{
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  guint n_users;

  g_return_if_fail (JN_IS_SUMMARY_PAGE (self));

  gtk_widget_set_visible (GTK_WIDGET (self->directory_label), directory != NULL);
  if (directory == NULL)
    return;

  n_users = jn_directory_get_n_users (directory);
  count = jn_format_count (n_users);
  /* Translators: what the ENT's directory holds, "1 608 ENT accounts for 0312609T" */
  text = g_strdup_printf (ngettext ("%s ENT account for %s", "%s ENT accounts for %s", n_users),
                          count, uai != NULL ? uai : "?");
  gtk_label_set_label (self->directory_label, text);
}

const char *
jn_summary_page_get_directory_text (JnSummaryPage *self)
{
  g_return_val_if_fail (JN_IS_SUMMARY_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->directory_label)))
    return NULL;

  return gtk_label_get_label (self->directory_label);
}
