/* jn-export.c: a loaded PRONOTE export: metadata and six category models
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "jn-envelope.h"
#include "jn-error.h"
#include "jn-export.h"
#include "jn-io.h"
#include "jn-person.h"
#include "jn-record-reader.h"

struct _JnExport
{
  GObject       parent_instance;

  GFile        *file;
  GListStore   *models[JN_N_CATEGORIES];
  JnExportData *data;        /* metadata; its record arrays are emptied into the models */
  gboolean      loaded;
};

G_DEFINE_FINAL_TYPE (JnExport, jn_export, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FILE,
  PROP_LOADED,
  PROP_ENCRYPTED,
  PROP_PARTNERS,
  PROP_PARTNER,
  PROP_UAI,
  PROP_ESTABLISHMENT,
  PROP_EXPORTED_AT,
  PROP_SOFTWARE,
  PROP_N_RECORDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  GFile        *file;
  GFile        *key_file;
  char         *partner;
  JnExportData *data;
  GError       *error;   /* set with data when the load failed after reading metadata */
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->file);
  g_clear_object (&job->key_file);
  g_free (job->partner);
  g_clear_pointer (&job->data, jn_export_data_free);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadJob, load_job_free)

static char *
dup_display_name (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    return g_path_get_basename (path);

  return g_file_get_parse_name (file);
}

/* The UAI is printed and compared later: say at once when it is not one */
static void
check_uai (JnExportData *data,
           const char   *display_name)
{
  g_autofree char *shown = NULL;

  if (data->uai == NULL || jn_uai_is_valid (data->uai))
    return;

  shown = jn_xml_dup_escaped (data->uai, 40);
  data->n_warnings++;
  g_ptr_array_insert (data->warnings, 0,
                      g_strdup_printf (_("%s: the establishment’s UAI “%s” is not a UAI "
                                         "(7 digits and a letter)"),
                                       display_name, shown));
}

static gboolean
load_into (LoadJob       *job,
           GCancellable  *cancellable,
           GError       **error)
{
  JnExportData *data = job->data;
  g_autofree char *display_name = dup_display_name (job->file);
  g_autoptr(JnXmlReader) reader = NULL;
  g_autoptr(JnEnvelope) envelope = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) key_data = NULL;
  g_autoptr(GBytes) cleartext = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *key_name = NULL;
  g_autofree char *envelope_uai = NULL;
  const char *root;

  bytes = jn_io_load_bounded (job->file, display_name, JN_XML_MAX_SIZE, cancellable, error);
  if (bytes == NULL)
    return FALSE;

  data->file_hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  reader = jn_xml_reader_new (bytes, display_name, error);
  if (reader == NULL)
    return FALSE;

  do
    {
      if (!jn_xml_reader_next (reader, &local_error))
        {
          if (local_error == NULL)
            g_set_error (&local_error, JN_ERROR, JN_ERROR_INVALID_FILE,
                         _("%s: the file holds no XML element"), display_name);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  while ((root = jn_xml_reader_get_local_name (reader)) == NULL);

  if (g_ascii_strcasecmp (root, JN_ENVELOPE_ROOT) != 0)
    {
      if (!jn_record_reader_read_from (reader, display_name, data, cancellable, error))
        return FALSE;

      check_uai (data, display_name);
      return TRUE;
    }

  envelope = jn_envelope_parse (reader, display_name, error);
  if (envelope == NULL)
    return FALSE;
  g_clear_pointer (&reader, jn_xml_reader_free);
  g_clear_pointer (&bytes, g_bytes_unref);

  data->has_metadata = TRUE;
  data->encrypted = TRUE;
  data->partners = jn_envelope_dup_partners (envelope);
  data->uai = g_strdup (jn_envelope_get_uai (envelope));
  data->establishment = g_strdup (jn_envelope_get_establishment (envelope));
  data->exported_at = g_strdup (jn_envelope_get_date_time (envelope));
  data->software = g_strdup (jn_envelope_get_software (envelope));

  if (job->key_file == NULL)
    {
      g_autofree char *partners = g_strjoinv (", ", data->partners);

      g_set_error (error, JN_ERROR, JN_ERROR_KEY_REQUIRED,
                   _("%s: this export is encrypted for %s (UAI %s); give the private key "
                     "of your partner to open it"),
                   display_name, partners, data->uai ? data->uai : "?");
      return FALSE;
    }

  key_name = dup_display_name (job->key_file);
  /* A private key is a few kilobytes */
  key_data = jn_io_load_bounded (job->key_file, key_name, 1024 * 1024, cancellable, error);
  if (key_data == NULL)
    return FALSE;

  cleartext = jn_envelope_open (envelope, key_data, key_name, job->partner, &data->partner,
                                cancellable, error);
  if (cleartext == NULL)
    return FALSE;
  /* One copy of the document at a time */
  g_clear_pointer (&envelope, jn_envelope_free);
  g_clear_pointer (&key_data, g_bytes_unref);

  envelope_uai = g_strdup (data->uai);
  if (!jn_record_reader_read (cleartext, display_name, data, cancellable, error))
    return FALSE;

  /* The cleartext's own UAI wins (the reader keeps it); a contradiction is worth saying */
  if (envelope_uai != NULL && data->uai != NULL &&
      g_ascii_strcasecmp (envelope_uai, data->uai) != 0)
    {
      g_autofree char *shown_envelope = jn_xml_dup_escaped (envelope_uai, 40);
      g_autofree char *shown_inner = jn_xml_dup_escaped (data->uai, 40);

      data->n_warnings++;
      g_ptr_array_insert (data->warnings, 0,
                          g_strdup_printf (_("%s: the envelope gives the UAI “%s” but the "
                                             "export inside gives “%s”: the export’s UAI is "
                                             "used, check that this file is your "
                                             "establishment’s"),
                                           display_name, shown_envelope, shown_inner));
    }

  check_uai (data, display_name);
  return TRUE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadJob *job = task_data;

  load_into (job, cancellable, &job->error);
  g_task_return_boolean (task, TRUE);
}

static void
jn_export_apply (JnExport     *self,
                 LoadJob      *job)
{
  JnExportData *data = g_steal_pointer (&job->data);
  gboolean was_loaded = self->loaded;

  g_object_freeze_notify (G_OBJECT (self));

  g_set_object (&self->file, job->file);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      GPtrArray *records = data->records[i];

      /* One items-changed per model, whatever the size. */
      g_list_store_splice (self->models[i], 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->models[i])),
                           job->error ? NULL : records->pdata,
                           job->error ? 0 : records->len);
      g_ptr_array_set_size (records, 0);
    }

  g_clear_pointer (&self->data, jn_export_data_free);
  self->data = data;
  self->loaded = job->error == NULL;

  for (guint i = PROP_FILE; i < N_PROPS; i++)
    if (i != PROP_LOADED || was_loaded != self->loaded)
      g_object_notify_by_pspec (G_OBJECT (self), properties[i]);

  g_object_thaw_notify (G_OBJECT (self));
}

static LoadJob *
load_job_new (GFile      *file,
              GFile      *key_file,
              const char *partner)
{
  LoadJob *job = g_new0 (LoadJob, 1);

  job->file = g_object_ref (file);
  job->key_file = key_file ? g_object_ref (key_file) : NULL;
  job->partner = (partner && *partner) ? g_strdup (partner) : NULL;
  job->data = jn_export_data_new ();

  return job;
}

gboolean
jn_export_load (JnExport      *self,
                GFile         *file,
                GFile         *key_file,
                const char    *partner,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(LoadJob) job = NULL;

  g_return_val_if_fail (JN_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (key_file == NULL || G_IS_FILE (key_file), FALSE);

  job = load_job_new (file, key_file, partner);
  load_into (job, cancellable, &job->error);
  jn_export_apply (self, job);

  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }

  return TRUE;
}

void
jn_export_load_async (JnExport            *self,
                      GFile               *file,
                      GFile               *key_file,
                      const char          *partner,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (JN_IS_EXPORT (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (key_file == NULL || G_IS_FILE (key_file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, jn_export_load_async);
  g_task_set_task_data (task, load_job_new (file, key_file, partner),
                        (GDestroyNotify)load_job_free);
  g_task_run_in_thread (task, load_thread);
}

gboolean
jn_export_load_finish (JnExport      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  LoadJob *job;

  g_return_val_if_fail (JN_IS_EXPORT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == jn_export_load_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  job = g_task_get_task_data (G_TASK (result));
  /* A cancelled load changes nothing: the previous export stays as it was. */
  if (g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }

  jn_export_apply (self, job);

  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return FALSE;
    }

  return TRUE;
}

static void
jn_export_dispose (GObject *object)
{
  JnExport *self = (JnExport *)object;

  g_clear_object (&self->file);
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    g_clear_object (&self->models[i]);

  G_OBJECT_CLASS (jn_export_parent_class)->dispose (object);
}

static void
jn_export_finalize (GObject *object)
{
  JnExport *self = (JnExport *)object;

  g_clear_pointer (&self->data, jn_export_data_free);

  G_OBJECT_CLASS (jn_export_parent_class)->finalize (object);
}

static void
jn_export_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  JnExport *self = JN_EXPORT (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    case PROP_ENCRYPTED:
      g_value_set_boolean (value, jn_export_get_encrypted (self));
      break;

    case PROP_PARTNERS:
      g_value_set_boxed (value, jn_export_get_partners (self));
      break;

    case PROP_PARTNER:
      g_value_set_string (value, jn_export_get_partner (self));
      break;

    case PROP_UAI:
      g_value_set_string (value, jn_export_get_uai (self));
      break;

    case PROP_ESTABLISHMENT:
      g_value_set_string (value, jn_export_get_establishment (self));
      break;

    case PROP_EXPORTED_AT:
      g_value_set_string (value, jn_export_get_exported_at (self));
      break;

    case PROP_SOFTWARE:
      g_value_set_string (value, jn_export_get_software (self));
      break;

    case PROP_N_RECORDS:
      g_value_set_uint (value, jn_export_get_n_records (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_export_class_init (JnExportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = jn_export_dispose;
  object_class->finalize = jn_export_finalize;
  object_class->get_property = jn_export_get_property;

  properties[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE, flags);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  properties[PROP_ENCRYPTED] = g_param_spec_boolean ("encrypted", NULL, NULL, FALSE, flags);
  properties[PROP_PARTNERS] = g_param_spec_boxed ("partners", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_PARTNER] = g_param_spec_string ("partner", NULL, NULL, NULL, flags);
  properties[PROP_UAI] = g_param_spec_string ("uai", NULL, NULL, NULL, flags);
  properties[PROP_ESTABLISHMENT] = g_param_spec_string ("establishment", NULL, NULL, NULL, flags);
  properties[PROP_EXPORTED_AT] = g_param_spec_string ("exported-at", NULL, NULL, NULL, flags);
  properties[PROP_SOFTWARE] = g_param_spec_string ("software", NULL, NULL, NULL, flags);
  properties[PROP_N_RECORDS] = g_param_spec_uint ("n-records", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
jn_export_init (JnExport *self)
{
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    self->models[i] = g_list_store_new (JN_TYPE_PERSON);
  self->data = jn_export_data_new ();
}

JnExport *
jn_export_new (void)
{
  return g_object_new (JN_TYPE_EXPORT, NULL);
}

GFile *
jn_export_get_file (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->file;
}

gboolean
jn_export_get_loaded (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), FALSE);

  return self->loaded;
}

gboolean
jn_export_get_encrypted (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), FALSE);

  return self->data->encrypted;
}

const char * const *
jn_export_get_partners (JnExport *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->partners ? (const char * const *)self->data->partners : none;
}

const char *
jn_export_get_partner (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->partner;
}

const char *
jn_export_get_uai (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->uai;
}

const char *
jn_export_get_establishment (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->establishment;
}

const char *
jn_export_get_exported_at (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->exported_at;
}

const char *
jn_export_get_file_hash (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->file_hash;
}

const char *
jn_export_get_software (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->software;
}

GPtrArray *
jn_export_get_warnings (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);

  return self->data->warnings;
}

gboolean
jn_export_has_metadata (JnExport *self)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), FALSE);

  return self->loaded || self->data->has_metadata;
}

GListModel *
jn_export_get_category_model (JnExport   *self,
                              JnCategory  category)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), NULL);
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, NULL);

  return G_LIST_MODEL (self->models[category]);
}

guint
jn_export_get_count (JnExport   *self,
                     JnCategory  category)
{
  g_return_val_if_fail (JN_IS_EXPORT (self), 0);
  g_return_val_if_fail ((guint)category < JN_N_CATEGORIES, 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->models[category]));
}

guint
jn_export_get_n_records (JnExport *self)
{
  guint n = 0;

  g_return_val_if_fail (JN_IS_EXPORT (self), 0);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    n += jn_export_get_count (self, i);

  return n;
}
