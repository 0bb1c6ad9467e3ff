/* jn-error-page.c
 *
 * The core's messages already name the file and the reason: they are shown as they are,
 * under a plain title. Without its key an encrypted export still tells who it is for, and
 * that is shown too so the admin knows which partner key to ask for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-error-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-error.h"
#include "jn-error-page.h"
#include "jn-import-session.h"
#include "jn-ui-utils.h"

struct _JnErrorPage
{
  AdwBin               parent_instance;

  /* template widgets */
  AdwStatusPage       *status_page;
  AdwPreferencesGroup *details_group;
  GtkLabel            *establishment_label;
  GtkLabel            *uai_label;
  GtkLabel            *date_label;
  AdwActionRow        *partners_row;
  GtkLabel            *partners_label;
  GtkLabel            *key_hint_label;
  GtkButton           *key_button;
  GtkButton           *other_file_button;
  GtkButton           *retry_button;

  /* owned */
  GError              *error;
  JnExport            *export;
  GBindingGroup       *bindings;
  GSignalGroup        *signals;
};

enum {
  PROP_0,
  PROP_ERROR,
  PROP_EXPORT,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnErrorPage, jn_error_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

static void
update_details (JnErrorPage *self)
{
  g_autofree char *partners = NULL;

  if (self->export != NULL)
    partners = jn_format_partners (jn_export_get_partners (self->export));

  gtk_label_set_label (self->partners_label, partners);
  gtk_widget_set_visible (GTK_WIDGET (self->partners_row), partners != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->details_group),
                          self->error != NULL && self->export != NULL &&
                          jn_export_has_metadata (self->export));
}

static void
update_error (JnErrorPage *self)
{
  gboolean needs_key = jn_error_needs_key (self->error);
  g_autofree char *description = NULL;

  /* The status page's description is markup; file names may hold '&' or '<'. */
  if (self->error != NULL)
    description = g_markup_escape_text (self->error->message, -1);
  adw_status_page_set_description (self->status_page, description);
  adw_status_page_set_icon_name (self->status_page,
                                 needs_key ? "channel-secure-symbolic" : "dialog-error-symbolic");

  gtk_widget_set_visible (GTK_WIDGET (self->key_button), needs_key);
  gtk_widget_set_visible (GTK_WIDGET (self->key_hint_label), needs_key);
  if (needs_key || gtk_widget_get_visible (GTK_WIDGET (self->retry_button)))
    gtk_widget_remove_css_class (GTK_WIDGET (self->other_file_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->other_file_button), "suggested-action");

  update_details (self);
}

static void
export_notify_cb (JnErrorPage *self,
                  GParamSpec  *pspec,
                  JnExport    *export)
{
  update_details (self);
}

static void
jn_error_page_dispose (GObject *object)
{
  JnErrorPage *self = JN_ERROR_PAGE (object);

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);

  /* The status page is both the bin's child and a template child: let the bin drop it first,
   * or the template would unparent it behind the bin's back. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_ERROR_PAGE);

  g_clear_error (&self->error);
  g_clear_object (&self->export);
  g_clear_object (&self->bindings);
  g_clear_object (&self->signals);

  G_OBJECT_CLASS (jn_error_page_parent_class)->dispose (object);
}

static void
jn_error_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  JnErrorPage *self = JN_ERROR_PAGE (object);

  switch (prop_id)
    {
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_EXPORT:
      g_value_set_object (value, self->export);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_error_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  JnErrorPage *self = JN_ERROR_PAGE (object);

  switch (prop_id)
    {
    case PROP_ERROR:
      jn_error_page_set_error (self, g_value_get_boxed (value));
      break;

    case PROP_EXPORT:
      jn_error_page_set_export (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_error_page_class_init (JnErrorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = jn_error_page_dispose;
  object_class->get_property = jn_error_page_get_property;
  object_class->set_property = jn_error_page_set_property;

  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_EXPORT] =
    g_param_spec_object ("export", NULL, NULL,
                         JN_TYPE_EXPORT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-error-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, details_group);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, establishment_label);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, uai_label);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, date_label);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, partners_row);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, partners_label);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, key_hint_label);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, key_button);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, other_file_button);
  gtk_widget_class_bind_template_child (widget_class, JnErrorPage, retry_button);
}

static void
jn_error_page_init (JnErrorPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->bindings = g_binding_group_new ();
  g_binding_group_bind_full (self->bindings, "establishment", self->establishment_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_or_unknown, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "uai", self->uai_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_or_unknown, NULL, NULL, NULL);
  g_binding_group_bind_full (self->bindings, "exported-at", self->date_label, "label",
                             G_BINDING_SYNC_CREATE, jn_transform_export_date, NULL, NULL, NULL);

  self->signals = g_signal_group_new (JN_TYPE_EXPORT);
  g_signal_group_connect_object (self->signals, "notify", G_CALLBACK (export_notify_cb),
                                 self, G_CONNECT_SWAPPED);

  update_error (self);
}

GtkWidget *
jn_error_page_new (void)
{
  return g_object_new (JN_TYPE_ERROR_PAGE, NULL);
}

gboolean
jn_error_needs_key (const GError *error)
{
  /* The rule lives in the core, with the session */
  return error != NULL && jn_import_session_error_needs_key (error);
}

const GError *
jn_error_page_get_error (JnErrorPage *self)
{
  g_return_val_if_fail (JN_IS_ERROR_PAGE (self), NULL);

  return self->error;
}

void
jn_error_page_set_error (JnErrorPage  *self,
                         const GError *error)
{
  g_return_if_fail (JN_IS_ERROR_PAGE (self));

  if (self->error == error)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);

  update_error (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

JnExport *
jn_error_page_get_export (JnErrorPage *self)
{
  g_return_val_if_fail (JN_IS_ERROR_PAGE (self), NULL);

  return self->export;
}

void
jn_error_page_set_export (JnErrorPage *self,
                          JnExport    *export)
{
  g_return_if_fail (JN_IS_ERROR_PAGE (self));
  g_return_if_fail (export == NULL || JN_IS_EXPORT (export));

  if (!g_set_object (&self->export, export))
    return;

  g_binding_group_set_source (self->bindings, export);
  g_signal_group_set_target (self->signals, export);
  update_details (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPORT]);
}

void
jn_error_page_set_title (JnErrorPage *self,
                         const char  *title)
{
  g_return_if_fail (JN_IS_ERROR_PAGE (self));

  adw_status_page_set_title (self->status_page,
                             title != NULL ? title : _("Could Not Open This File"));
}

const char *
jn_error_page_get_title (JnErrorPage *self)
{
  g_return_val_if_fail (JN_IS_ERROR_PAGE (self), NULL);

  return adw_status_page_get_title (self->status_page);
}

void
jn_error_page_set_retry_action (JnErrorPage *self,
                                const char  *action_name)
{
  g_return_if_fail (JN_IS_ERROR_PAGE (self));

  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->retry_button), action_name);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), action_name != NULL);
  update_error (self);
}
