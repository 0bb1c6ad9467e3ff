/* jn-step-page.c
 *
 * The list is the session's rows for the category, seen through Selection → Filter → Sort:
 * a decision updates one row in place, the sorter moves it and the single selection
 * follows it, so the admin keeps the record just decided under the cursor.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-step-page"

#include "config.h"

#include <glib/gi18n.h>

#include "jn-match-panel.h"
#include "jn-step-page.h"
#include "jn-ui-utils.h"

typedef enum
{
  COLUMN_LAST_NAME,
  COLUMN_FIRST_NAME,
  COLUMN_BIRTH_DATE,
  COLUMN_PRONOTE_ID,
  COLUMN_ENT_ACCOUNT,
  COLUMN_MATCH,
  N_COLUMNS
} Column;

/* ---- the list's slots ---- */

/* GTK 4.8's list views make new widgets for every item that enters the list (they do not
 * recycle the widgets of the items that left): a filter click or a search keystroke made
 * and measured up to 200 rows of six cells, 100–150 ms on the bench. The column view shows
 * slots instead: slot i holds the i-th row of the filtered list, and a change of the filter
 * only points the slots at other rows (their cells take the new texts, with no new widget
 * and no new measure: GtkInscription's size does not depend on its text); the number of
 * slots changes at the end only. */
#define JN_TYPE_ROW_SLOT (jn_row_slot_get_type ())
G_DECLARE_FINAL_TYPE (JnRowSlot, jn_row_slot, JN, ROW_SLOT, GObject)

struct _JnRowSlot
{
  GObject       parent_instance;
  JnSessionRow *row;
};

G_DEFINE_FINAL_TYPE (JnRowSlot, jn_row_slot, G_TYPE_OBJECT)

static guint slot_changed_signal;

static void
jn_row_slot_finalize (GObject *object)
{
  g_clear_object (&JN_ROW_SLOT (object)->row);
  G_OBJECT_CLASS (jn_row_slot_parent_class)->finalize (object);
}

static void
jn_row_slot_class_init (JnRowSlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_row_slot_finalize;
  slot_changed_signal = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
jn_row_slot_init (JnRowSlot *self)
{
}

static void
slot_set_row (JnRowSlot    *slot,
              JnSessionRow *row)
{
  if (g_set_object (&slot->row, row))
    g_signal_emit (slot, slot_changed_signal, 0);
}

static JnSessionRow *
slot_row (gpointer slot)
{
  return slot != NULL ? JN_ROW_SLOT (slot)->row : NULL;
}

/* The slots, as a list model: one per row of @rows (the filtered rows) */
#define JN_TYPE_SLOT_LIST (jn_slot_list_get_type ())
G_DECLARE_FINAL_TYPE (JnSlotList, jn_slot_list, JN, SLOT_LIST, GObject)

struct _JnSlotList
{
  GObject    parent_instance;
  GPtrArray *slots;
};

static GType
jn_slot_list_get_item_type (GListModel *model)
{
  return JN_TYPE_ROW_SLOT;
}

static guint
jn_slot_list_get_n_items (GListModel *model)
{
  return JN_SLOT_LIST (model)->slots->len;
}

static gpointer
jn_slot_list_get_item (GListModel *model,
                       guint       position)
{
  GPtrArray *slots = JN_SLOT_LIST (model)->slots;

  return position < slots->len ? g_object_ref (g_ptr_array_index (slots, position)) : NULL;
}

static void
jn_slot_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = jn_slot_list_get_item_type;
  iface->get_n_items = jn_slot_list_get_n_items;
  iface->get_item = jn_slot_list_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (JnSlotList, jn_slot_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, jn_slot_list_model_init))

static void
jn_slot_list_finalize (GObject *object)
{
  g_ptr_array_unref (JN_SLOT_LIST (object)->slots);
  G_OBJECT_CLASS (jn_slot_list_parent_class)->finalize (object);
}

static void
jn_slot_list_class_init (JnSlotListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_slot_list_finalize;
}

static void
jn_slot_list_init (JnSlotList *self)
{
  self->slots = g_ptr_array_new_with_free_func (g_object_unref);
}

static void complete_slots (JnStepPage *self);
static gboolean fill_cb (gpointer user_data);
static void ensure_filled (JnStepPage *self);

struct _JnStepPage
{
  AdwBin               parent_instance;

  /* template widgets */
  AdwLeaflet          *leaflet;
  GtkWidget           *list_side;
  GtkLabel            *summary_label;
  GtkLabel            *causes_label;
  GtkToggleButton     *all_button;
  GtkToggleButton     *recognised_button;
  GtkToggleButton     *unrecognised_button;
  GtkToggleButton     *to_check_button;
  GtkSearchEntry      *search_entry;
  GtkStack            *list_stack;
  GtkSpinner          *spinner;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *columns[N_COLUMNS];
  AdwStatusPage       *empty_category_page;
  AdwStatusPage       *no_results_page;

  /* owned */
  JnImportSession     *session;
  guint                step;
  JnCategory           category;
  GListModel          *rows;          /* the session's */
  GListStore          *sorted;        /* the rows, sorted */
  GHashTable          *filter_keys;   /* row → what the filter reads of it, as last seen */
  GtkFilterListModel  *filter_model;
  GtkCustomFilter     *filter;
  JnSlotList          *slots;         /* what the column view shows */
  GtkSingleSelection  *selection;     /* of the slots */
  guint                add_slots_id;
  gboolean             ahead;         /* made ahead of being shown */
  guint                fill_id;       /* then reads its rows in this idle */
  JnMatchPanel        *match_panel;
  JnStepFilter         filter_kind;
  char                *search_text;
  char                *folded_search;
  char                *title;
  char                *summary;
  gulong               counts_changed_id;
  gulong               state_notify_id;
  gulong               rows_changed_id;
  guint                selected_position;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_STEP,
  PROP_CATEGORY,
  PROP_FILTER,
  PROP_SEARCH_TEXT,
  PROP_SELECTED_ROW,
  PROP_TITLE,
  PROP_SUMMARY,
  PROP_AHEAD,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (JnStepPage, jn_step_page, ADW_TYPE_BIN)

static GParamSpec *properties[N_PROPS];

/* ---- the counts line ---- */

/* "12 Students recognised": one pair of strings per category, for the plural and for
 * languages whose participle agrees with the noun */
static char *
format_recognised (JnCategory category,
                   guint      n)
{
  g_autofree char *count = jn_format_count (n);

  switch (category)
    {
    case JN_CATEGORY_TEACHER:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Teacher recognised",
                                           "%s Teachers recognised", n), count);
    case JN_CATEGORY_STUDENT:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Student recognised",
                                           "%s Students recognised", n), count);
    case JN_CATEGORY_RELATIVE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Relative recognised",
                                           "%s Relatives recognised", n), count);
    case JN_CATEGORY_INTERNSHIP_MASTER:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Internship master recognised",
                                           "%s Internship masters recognised", n), count);
    case JN_CATEGORY_INSPECTOR:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Inspector recognised",
                                           "%s Inspectors recognised", n), count);
    case JN_CATEGORY_STAFF:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s Staff member recognised",
                                           "%s Staff members recognised", n), count);
    }
}

static const char *
empty_category_title (JnCategory category)
{
  switch (category)
    {
    case JN_CATEGORY_TEACHER:
      return _("No teachers in this file");
    case JN_CATEGORY_STUDENT:
      return _("No students in this file");
    case JN_CATEGORY_RELATIVE:
      return _("No relatives in this file");
    case JN_CATEGORY_INTERNSHIP_MASTER:
      return _("No internship masters in this file");
    case JN_CATEGORY_INSPECTOR:
      return _("No inspectors in this file");
    case JN_CATEGORY_STAFF:
    default:
      return _("No staff in this file");
    }
}

static void
append_part (GString    *line,
             const char *part)
{
  if (line->len > 0)
    g_string_append (line, " · ");
  g_string_append (line, part);
}

/* @format has one %s: the count, with the locale's digit grouping */
static char *
format_part (const char *format,
             guint       n)
{
  g_autofree char *count = jn_format_count (n);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  return g_strdup_printf (format, count);
#pragma GCC diagnostic pop
}

static char *
format_summary (JnCategory          category,
                const JnStepCounts *counts)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *recognised = format_recognised (category, counts->n_recognised);
  g_autofree char *unrecognised = NULL;
  g_autofree char *to_check = NULL;

  append_part (line, recognised);
  unrecognised = format_part (g_dngettext (GETTEXT_PACKAGE, "%s not recognised",
                                            "%s not recognised", counts->n_unrecognised),
                               counts->n_unrecognised);
  append_part (line, unrecognised);
  to_check = format_part (g_dngettext (GETTEXT_PACKAGE, "%s to check", "%s to check",
                                        counts->n_to_check),
                           counts->n_to_check);
  append_part (line, to_check);

  if (counts->n_not_imported > 0)
    {
      g_autofree char *part =
        format_part (g_dngettext (GETTEXT_PACKAGE, "%s not imported", "%s not imported",
                                   counts->n_not_imported),
                      counts->n_not_imported);
      append_part (line, part);
    }
  if (counts->n_clear > 0)
    {
      g_autofree char *part =
        format_part (g_dngettext (GETTEXT_PACKAGE, "%s identifier to remove", "%s identifiers to remove",
                                   counts->n_clear),
                      counts->n_clear);
      append_part (line, part);
    }
  if (counts->n_failed > 0)
    {
      g_autofree char *part =
        format_part (g_dngettext (GETTEXT_PACKAGE, "%s failed write", "%s failed writes",
                                   counts->n_failed),
                      counts->n_failed);
      append_part (line, part);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* One cause's part of the causes line: "3 no ENT account", "2 homonyms" */
static char *
format_cause (JnPlanCause cause,
              guint       n)
{
  const char *format;

  switch (cause)
    {
    case JN_PLAN_CAUSE_NO_ACCOUNT:
      format = g_dngettext (GETTEXT_PACKAGE, "%s no ENT account", "%s no ENT account", n);
      break;
    case JN_PLAN_CAUSE_SEVERAL_ACCOUNTS:
      format = g_dngettext (GETTEXT_PACKAGE, "%s homonym", "%s homonyms", n);
      break;
    case JN_PLAN_CAUSE_COUPLE:
      format = g_dngettext (GETTEXT_PACKAGE, "%s couple", "%s couples", n);
      break;
    case JN_PLAN_CAUSE_NOT_GUARDIAN:
      format = g_dngettext (GETTEXT_PACKAGE, "%s not a legal guardian", "%s not legal guardians", n);
      break;
    case JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT:
      format = g_dngettext (GETTEXT_PACKAGE, "%s duplicate in PRONOTE", "%s duplicates in PRONOTE", n);
      break;
    case JN_PLAN_CAUSE_OTHER_ESTABLISHMENT:
      format = g_dngettext (GETTEXT_PACKAGE, "%s in another establishment",
                            "%s in another establishment", n);
      break;
    case JN_PLAN_CAUSE_WEAK_EVIDENCE:
      format = g_dngettext (GETTEXT_PACKAGE, "%s close account to confirm",
                            "%s close accounts to confirm", n);
      break;
    case JN_PLAN_CAUSE_INVALID_IDENTIFIER:
      format = g_dngettext (GETTEXT_PACKAGE, "%s invalid identifier", "%s invalid identifiers", n);
      break;
    case JN_PLAN_CAUSE_NONE:
    default:
      return NULL;
    }

  return format_part (format, n);
}

/* "Why not recognised: 3 no ENT account · 2 homonyms · 1 couple": the causes of the
 * records left (unrecognised or to check) with a count, most frequent first; NULL when none */
static char *
format_causes (const guint *counts)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean listed[JN_SESSION_N_CAUSES] = { FALSE };

  for (;;)
    {
      guint best = JN_PLAN_CAUSE_NONE;
      g_autofree char *part = NULL;

      for (guint c = JN_PLAN_CAUSE_NONE + 1; c < JN_SESSION_N_CAUSES; c++)
        if (!listed[c] && counts[c] > 0 && (best == JN_PLAN_CAUSE_NONE || counts[c] > counts[best]))
          best = c;
      if (best == JN_PLAN_CAUSE_NONE)
        break;

      listed[best] = TRUE;
      part = format_cause (best, counts[best]);
      append_part (line, part);
    }

  if (line->len == 0)
    return NULL;

  /* TRANSLATORS: the causes of the records not recognised or to check, as in
   * "Why not recognised: 3 no ENT account · 2 homonyms · 1 couple" */
  return g_strdup_printf (_("Why not recognised: %s"), line->str);
}

static void
update_causes (JnStepPage *self)
{
  guint counts[JN_SESSION_N_CAUSES] = { 0 };
  g_autofree char *causes = NULL;

  jn_import_session_get_cause_counts (self->session, self->category, counts);
  causes = format_causes (counts);
  if (g_strcmp0 (causes, gtk_widget_get_visible (GTK_WIDGET (self->causes_label))
                           ? gtk_label_get_text (self->causes_label) : NULL) == 0)
    return;

  gtk_label_set_text (self->causes_label, causes != NULL ? causes : "");
  gtk_widget_set_visible (GTK_WIDGET (self->causes_label), causes != NULL);
}

static void
update_summary (JnStepPage *self)
{
  JnStepCounts counts = { 0 };
  g_autofree char *summary = NULL;

  update_causes (self);

  jn_import_session_get_counts (self->session, self->category, &counts);
  summary = format_summary (self->category, &counts);
  if (g_strcmp0 (summary, self->summary) == 0)
    return;

  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_label_set_text (self->summary_label, self->summary);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

static void
counts_changed_cb (JnImportSession *session,
                   JnCategory       category,
                   JnStepPage      *self)
{
  if (category == self->category)
    update_summary (self);
}

/* ---- what the list shows ---- */

static void
update_list_stack (JnStepPage *self)
{
  const char *name = "list";
  JnSessionState state = jn_import_session_get_state (self->session);
  gboolean matched = state != JN_SESSION_STATE_EMPTY && state != JN_SESSION_STATE_LOADED;

  if ((self->rows == NULL || g_list_model_get_n_items (self->rows) == 0) && !matched)
    name = "loading";
  else if (self->rows == NULL || g_list_model_get_n_items (self->rows) == 0)
    name = "empty-category";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0)
    name = "no-results";

  gtk_stack_set_visible_child_name (self->list_stack, name);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (name, "loading"));
}

static gboolean
filter_row (gpointer item,
            gpointer user_data)
{
  JnStepPage *self = user_data;
  JnSessionRow *row = item;
  JnRowStatus status = jn_session_row_get_status (row);

  switch (self->filter_kind)
    {
    case JN_STEP_FILTER_RECOGNISED:
      if (status != JN_ROW_STATUS_MATCHED)
        return FALSE;
      break;
    case JN_STEP_FILTER_UNRECOGNISED:
      if (status != JN_ROW_STATUS_UNMATCHED)
        return FALSE;
      break;
    case JN_STEP_FILTER_TO_CHECK:
      if (status != JN_ROW_STATUS_AMBIGUOUS)
        return FALSE;
      break;
    case JN_STEP_FILTER_ALL:
    default:
      break;
    }

  return self->folded_search == NULL || jn_session_row_matches_search (row, self->folded_search);
}

/* How strict the filter became tells the filter model which rows it need not look at
 * again, and lets the list keep the row widgets of the rows still listed (GTK 4.8 keeps 200
 * rows of six cells alive: rebuilding them all is most of a keystroke's cost) */
static void
refilter (JnStepPage      *self,
          GtkFilterChange  change)
{
  gtk_filter_changed (GTK_FILTER (self->filter), change);
  update_list_stack (self);
}

/* Every row that fits @query also fits @than: each word of @than is the start of the word
 * of @query at the same place (a row fits when it holds every word of the query) */
static gboolean
query_stricter (const char *query,
                const char *than)
{
  if (than == NULL)
    return TRUE;
  if (query == NULL)
    return FALSE;

  return g_str_has_prefix (query, than);
}

static void
filter_toggled_cb (JnStepPage *self)
{
  JnStepFilter kind = JN_STEP_FILTER_ALL;

  if (gtk_toggle_button_get_active (self->recognised_button))
    kind = JN_STEP_FILTER_RECOGNISED;
  else if (gtk_toggle_button_get_active (self->unrecognised_button))
    kind = JN_STEP_FILTER_UNRECOGNISED;
  else if (gtk_toggle_button_get_active (self->to_check_button))
    kind = JN_STEP_FILTER_TO_CHECK;
  else if (!gtk_toggle_button_get_active (self->all_button))
    return; /* between the untoggling of one button and the toggling of another */

  jn_step_page_set_filter (self, kind);
}

static void
search_changed_cb (JnStepPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *old_folded = NULL;
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  if (g_strcmp0 (text, self->search_text != NULL ? self->search_text : "") == 0)
    return;

  old_folded = g_steal_pointer (&self->folded_search);
  g_free (self->search_text);
  self->search_text = g_strdup (text);
  if (*text != '\0')
    self->folded_search = jn_session_row_fold_search (text);
  if (self->folded_search != NULL && *self->folded_search == '\0')
    g_clear_pointer (&self->folded_search, g_free);

  if (query_stricter (self->folded_search, old_folded))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (query_stricter (old_folded, self->folded_search))
    change = GTK_FILTER_CHANGE_LESS_STRICT;

  /* only spaces changed: nothing to filter again */
  if (g_strcmp0 (old_folded, self->folded_search) != 0)
    refilter (self, change);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

static void
stop_search_cb (JnStepPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
show_all_clicked_cb (JnStepPage *self)
{
  jn_step_page_set_search_text (self, "");
  jn_step_page_set_filter (self, JN_STEP_FILTER_ALL);
}

/* ---- cells ---- */

static const char *
cell_text (JnSessionRow *row,
           Column        column)
{
  switch (column)
    {
    case COLUMN_LAST_NAME:
      return jn_session_row_get_last_name (row);
    case COLUMN_FIRST_NAME:
      return jn_session_row_get_first_name (row);
    case COLUMN_BIRTH_DATE:
      return jn_session_row_get_birth_date (row);
    case COLUMN_PRONOTE_ID:
      return jn_session_row_get_pronote_id (row);
    case COLUMN_ENT_ACCOUNT:
      return jn_session_row_get_ent_account (row);
    case COLUMN_MATCH:
    case N_COLUMNS:
    default:
      return jn_session_row_get_match (row);
    }
}

static void
update_cell (GtkListItem *list_item)
{
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  JnSessionRow *row = slot_row (gtk_list_item_get_item (list_item));
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cell), "column"));
  g_autofree char *failure = NULL;
  const char *text;

  if (cell == NULL || row == NULL)
    return;

  text = cell_text (row, column);
  if (column == COLUMN_MATCH)
    {
      JnRowPushState push_state = jn_session_row_get_push_state (row);
      JnRowStatus status = jn_session_row_get_status (row);

      if (push_state == JN_ROW_PUSH_FAILED)
        {
          failure = g_strdup_printf (_("Not saved: %s"), jn_session_row_get_failure (row));
          text = failure;
        }
      if (push_state == JN_ROW_PUSH_FAILED)
        gtk_widget_add_css_class (cell, "error");
      else
        gtk_widget_remove_css_class (cell, "error");
      if (push_state != JN_ROW_PUSH_FAILED &&
          (status == JN_ROW_STATUS_AMBIGUOUS || status == JN_ROW_STATUS_UNMATCHED))
        gtk_widget_add_css_class (cell, "warning");
      else
        gtk_widget_remove_css_class (cell, "warning");
      if (status == JN_ROW_STATUS_NOT_IMPORTED || status == JN_ROW_STATUS_WILL_CLEAR)
        gtk_widget_add_css_class (cell, "dim-label");
      else
        gtk_widget_remove_css_class (cell, "dim-label");
    }

  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
}

/* The full text of a cell that may be cut: asked for when the pointer rests on it, rather
 * than set at each bind (in GTK 4.8 each gtk_widget_set_tooltip_text() queries the pointer
 * from the display server: one X round trip per cell, thousands during a push) */
static gboolean
query_cell_tooltip_cb (GtkWidget  *cell,
                       int         x,
                       int         y,
                       gboolean    keyboard_mode,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (cell));

  if (text == NULL || *text == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_UINT (user_data);
  GtkWidget *cell = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 4);
  switch (column)
    {
    case COLUMN_BIRTH_DATE:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 10);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 10);
      break;
    case COLUMN_PRONOTE_ID:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 16);
      gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 8);
      gtk_widget_add_css_class (cell, "monospace");
      break;
    case COLUMN_MATCH:
    case COLUMN_ENT_ACCOUNT:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 24);
      gtk_widget_set_has_tooltip (cell, TRUE);
      g_signal_connect (cell, "query-tooltip", G_CALLBACK (query_cell_tooltip_cb), NULL);
      break;
    case COLUMN_LAST_NAME:
    case COLUMN_FIRST_NAME:
    case N_COLUMNS:
    default:
      gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), 12);
      break;
    }
  g_object_set_data (G_OBJECT (cell), "column", GUINT_TO_POINTER (column));
  gtk_list_item_set_child (list_item, cell);
}

static void
row_notify_cb (JnSessionRow *row,
               GParamSpec   *pspec,
               GtkListItem  *list_item)
{
  update_cell (list_item);
}

/* The cell follows its slot's row: the row's changes in place, and the slot pointed at
 * another row */
static void
follow_row (GtkListItem *list_item)
{
  JnSessionRow *row = slot_row (gtk_list_item_get_item (list_item));
  JnSessionRow *followed = g_object_get_data (G_OBJECT (list_item), "row");
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (list_item), "row-notify"));

  if (followed != row)
    {
      if (followed != NULL && handler != 0)
        g_signal_handler_disconnect (followed, handler);
      handler = row != NULL ? g_signal_connect (row, "notify", G_CALLBACK (row_notify_cb), list_item) : 0;
      g_object_set_data_full (G_OBJECT (list_item), "row", row != NULL ? g_object_ref (row) : NULL,
                              g_object_unref);
      g_object_set_data (G_OBJECT (list_item), "row-notify", GSIZE_TO_POINTER (handler));
    }
  update_cell (list_item);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  gpointer slot = gtk_list_item_get_item (list_item);
  gulong handler = g_signal_connect_swapped (slot, "changed", G_CALLBACK (follow_row), list_item);

  g_object_set_data (G_OBJECT (list_item), "slot-changed", GSIZE_TO_POINTER (handler));
  follow_row (list_item);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  gpointer slot = gtk_list_item_get_item (list_item);
  gulong slot_handler = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (list_item), "slot-changed"));
  JnSessionRow *row = g_object_get_data (G_OBJECT (list_item), "row");
  gulong handler = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (list_item), "row-notify"));

  if (slot != NULL && slot_handler != 0)
    g_signal_handler_disconnect (slot, slot_handler);
  if (row != NULL && handler != 0)
    g_signal_handler_disconnect (row, handler);
  g_object_set_data (G_OBJECT (list_item), "row", NULL);
}

static void
setup_columns (JnStepPage *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), GUINT_TO_POINTER (i));
      gtk_column_view_column_set_factory (self->columns[i], factory);
    }
}

/* ---- selection and the panel ---- */

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;

  return NULL;
}

static void
scroll_to (JnStepPage *self,
           guint       position)
{
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

  if (list_view != NULL)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);
}

static void
selection_changed_cb (JnStepPage *self)
{
  JnSessionRow *row = slot_row (gtk_single_selection_get_selected_item (self->selection));
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position != GTK_INVALID_LIST_POSITION)
    self->selected_position = position;

  if (row == jn_match_panel_get_row (self->match_panel))
    return;

  jn_match_panel_set_row (self->match_panel, row);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ROW]);
}

static guint
find_position (GListModel *model,
               gpointer    item)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (model, i);

      if ((gpointer)other == item)
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

/* After a decision: the row stays selected; when the filter hides it now, the row that
 * took its place is selected, so that the admin goes on down the list */
static void
panel_decided_cb (JnStepPage   *self,
                  JnSessionRow *row)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n = g_list_model_get_n_items (model);
  guint position = find_position (model, row);

  if (position == GTK_INVALID_LIST_POSITION && n > 0)
    position = MIN (self->selected_position, n - 1);

  if (position != GTK_INVALID_LIST_POSITION)
    {
      complete_slots (self);
      gtk_single_selection_set_selected (self->selection, position);
      scroll_to (self, position);
    }
}

static void
panel_back_cb (JnStepPage *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
show_panel (JnStepPage *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->match_panel));
}

static void
folded_changed_cb (JnStepPage *self)
{
  if (self->match_panel != NULL)
    jn_match_panel_set_show_back (self->match_panel, adw_leaflet_get_folded (self->leaflet));
}

/* Enter (or a double click) on a row */
static void
column_view_activate_cb (JnStepPage *self,
                         guint       position)
{
  gtk_single_selection_set_selected (self->selection, position);

  if (adw_leaflet_get_folded (self->leaflet))
    show_panel (self);
  else
    jn_match_panel_accept_first_suggestion (self->match_panel);
}

static gboolean
show_panel_idle_cb (gpointer user_data)
{
  JnStepPage *self = user_data;

  if (self->selection != NULL && gtk_single_selection_get_selected_item (self->selection) != NULL)
    show_panel (self);

  return G_SOURCE_REMOVE;
}

/* Folded, a click on a row shows its panel (once the click has selected it) */
static void
list_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 JnStepPage      *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_panel_idle_cb, g_object_ref (self),
                     g_object_unref);
}

static gboolean
focus_search_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  jn_step_page_focus_search (JN_STEP_PAGE (widget));
  return TRUE;
}

/* ---- the session's rows ---- */

/* PRONOTE gives no birth date for relatives, internship masters or inspectors: an empty
 * column would only take room from the others */
static void
update_birth_date_column (JnStepPage *self)
{
  gboolean any = FALSE;
  guint n = self->rows != NULL ? g_list_model_get_n_items (self->rows) : 0;

  for (guint i = 0; i < n && !any; i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (self->rows, i);
      const char *birth_date = jn_session_row_get_birth_date (row);

      any = birth_date != NULL && *birth_date != '\0';
    }

  gtk_column_view_column_set_visible (self->columns[COLUMN_BIRTH_DATE], any);
}

/* ---- the sorted rows ---- */

/* The rows sorted by status, then name, in a store kept here rather than in a
 * GtkSortListModel: in GTK 4.8 that model sorts again at every change of its model and
 * announces every row from the changed one to the end as changed, so during a push (one
 * change per row written) the list rebound its rows thousands of times, for seconds on the
 * bench's 5,000 students. Here a row changed in place that keeps its place is announced
 * alone, and one that moves is announced with the rows it moves past, in one change (the
 * selection follows it). A row whose change leaves what the sort and the filter read of it
 * (status, names, search key) unchanged, as a push's outcome does, is not announced at all:
 * its cells follow it (GTK 4.8 rebinds every row after a changed position otherwise). */
static char *
filter_key (JnSessionRow *row)
{
  return g_strdup_printf ("%d\x1f%s\x1f%s\x1f%s", (int) jn_session_row_get_status (row),
                          jn_session_row_get_last_name (row), jn_session_row_get_first_name (row),
                          jn_session_row_get_search_key (row));
}

static int
compare_row_pointers (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  return jn_session_row_compare (*(JnSessionRow * const *) a, *(JnSessionRow * const *) b, NULL);
}

static void
sort_all (JnStepPage *self)
{
  guint n = self->rows != NULL ? g_list_model_get_n_items (self->rows) : 0;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (n, g_object_unref);

  g_hash_table_remove_all (self->filter_keys);
  for (guint i = 0; i < n; i++)
    {
      JnSessionRow *row = g_list_model_get_item (self->rows, i);

      g_ptr_array_add (rows, row);
      g_hash_table_insert (self->filter_keys, row, filter_key (row));
    }
  g_ptr_array_sort_with_data (rows, compare_row_pointers, NULL);
  g_list_store_splice (self->sorted, 0, g_list_model_get_n_items (G_LIST_MODEL (self->sorted)),
                       rows->pdata, rows->len);
}

static int
compare_at (JnStepPage   *self,
            guint         position,
            JnSessionRow *row)
{
  g_autoptr(JnSessionRow) other = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  return jn_session_row_compare (other, row, NULL);
}

/* The first position in [@low, @high) whose row sorts after @row (@high if none) */
static guint
find_insert_position (JnStepPage   *self,
                      JnSessionRow *row,
                      guint         low,
                      guint         high)
{
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (compare_at (self, middle, row) < 0)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

/* @row changed in place: put back where it now sorts */
static void
sort_row_changed (JnStepPage   *self,
                  JnSessionRow *row)
{
  GListModel *model = G_LIST_MODEL (self->sorted);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) moved = NULL;
  g_autofree char *key = NULL;
  guint position, first, last;

  /* Nothing the list reads changed: not even looked for */
  key = filter_key (row);
  if (g_strcmp0 (key, g_hash_table_lookup (self->filter_keys, row)) == 0)
    return;

  if (!g_list_store_find (self->sorted, row, &position))
    {
      sort_all (self);
      return;
    }

  first = last = position;
  if (position > 0 && compare_at (self, position - 1, row) > 0)
    first = find_insert_position (self, row, 0, position);
  else if (position + 1 < n && compare_at (self, position + 1, row) < 0)
    last = find_insert_position (self, row, position + 1, n) - 1;

  g_hash_table_insert (self->filter_keys, row, g_steal_pointer (&key));

  /* Still in its place: announced alone, for the filter to look at it again */
  moved = g_ptr_array_new_full (last - first + 1, g_object_unref);
  if (first < position)
    g_ptr_array_add (moved, g_object_ref (row));
  for (guint i = first; i <= last; i++)
    if (i != position)
      g_ptr_array_add (moved, g_list_model_get_item (model, i));
  if (first == position)
    g_ptr_array_add (moved, g_object_ref (row));

  g_list_store_splice (self->sorted, first, last - first + 1, moved->pdata, moved->len);
}

static void
rows_items_changed_cb (GListModel *rows,
                       guint       position,
                       guint       removed,
                       guint       added,
                       JnStepPage *self)
{
  if (removed == 1 && added == 1)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, position);

      sort_row_changed (self, row);
    }
  else
    sort_all (self);

  /* Only the rows added can bring the first birth date */
  for (guint i = position; i < position + added &&
       !gtk_column_view_column_get_visible (self->columns[COLUMN_BIRTH_DATE]); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);
      const char *birth_date = jn_session_row_get_birth_date (row);

      if (birth_date != NULL && *birth_date != '\0')
        gtk_column_view_column_set_visible (self->columns[COLUMN_BIRTH_DATE], TRUE);
    }
  update_list_stack (self);
}

/* Slots are added in batches while the list has fewer than SLOTS_WITH_WIDGETS: each slot
 * there gets a row of widgets at once (GTK 4.8 keeps 200 rows' widgets), so showing a long
 * list after a short one (a page shown, "All" after "To check", a search cleared) would make
 * them all in one go; in batches, the first screenful shows at once and the main loop
 * breathes between the others. Past it, slots are cheap and added all at once. */
#define SLOTS_WITH_WIDGETS 200
#define SLOTS_BATCH 40

static gboolean add_slots_cb (gpointer user_data);

/* Adds slots for the filtered rows not shown yet: up to @limit of them (G_MAXUINT: all) */
static void
add_slots (JnStepPage *self,
           guint       limit)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  GPtrArray *slots = self->slots->slots;
  guint old_n = slots->len;
  guint new_n = g_list_model_get_n_items (model);

  if (limit != G_MAXUINT && old_n < SLOTS_WITH_WIDGETS)
    new_n = MIN (new_n, old_n + limit);

  for (guint i = old_n; i < new_n; i++)
    {
      JnRowSlot *slot = g_object_new (JN_TYPE_ROW_SLOT, NULL);

      slot->row = g_list_model_get_item (model, i);
      g_ptr_array_add (slots, slot);
    }
  if (new_n > old_n)
    g_list_model_items_changed (G_LIST_MODEL (self->slots), old_n, 0, new_n - old_n);

  /* (a page not shown yet, made ahead, waits to be shown for the rest: each batch makes
   * rows of widgets) */
  if (slots->len < g_list_model_get_n_items (model) && gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      if (self->add_slots_id == 0)
        self->add_slots_id = g_idle_add (add_slots_cb, self);
    }
  else
    g_clear_handle_id (&self->add_slots_id, g_source_remove);
}

static gboolean
add_slots_cb (gpointer user_data)
{
  JnStepPage *self = user_data;

  self->add_slots_id = 0;
  add_slots (self, SLOTS_BATCH);
  return G_SOURCE_REMOVE;
}

/* Every filtered row has its slot (before a selection by position) */
static void
complete_slots (JnStepPage *self)
{
  add_slots (self, G_MAXUINT);
}

/* The filtered rows changed: the slots from @position on point at their new rows, slots
 * are added or removed at the end, and the selection stays on its row */
static void
filtered_items_changed_cb (GListModel *model,
                           guint       position,
                           guint       removed,
                           guint       added,
                           JnStepPage *self)
{
  GPtrArray *slots = self->slots->slots;
  guint old_n = slots->len;
  guint new_n = g_list_model_get_n_items (model);
  guint n_same = removed == added ? position + added : new_n;
  JnSessionRow *selected = jn_step_page_get_selected_row (self);
  g_autoptr(JnSessionRow) kept = selected != NULL ? g_object_ref (selected) : NULL;
  guint selected_position = GTK_INVALID_LIST_POSITION;

  for (guint i = position; i < MIN (n_same, MIN (old_n, new_n)); i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (model, i);

      slot_set_row (g_ptr_array_index (slots, i), row);
    }

  if (kept != NULL)
    selected_position = find_position (model, kept);

  if (new_n > old_n)
    {
      add_slots (self, selected_position != GTK_INVALID_LIST_POSITION &&
                       selected_position >= old_n ? G_MAXUINT : SLOTS_BATCH);
      if (kept != NULL)
        gtk_single_selection_set_selected (self->selection, selected_position);
    }
  else
    {
      /* The selection first, so that the removal at the end does not drop it */
      if (kept != NULL)
        gtk_single_selection_set_selected (self->selection, selected_position);
      if (new_n < old_n)
        {
          g_ptr_array_set_size (slots, new_n);
          g_list_model_items_changed (G_LIST_MODEL (self->slots), new_n, old_n - new_n, 0);
        }
      g_clear_handle_id (&self->add_slots_id, g_source_remove);
    }

  update_list_stack (self);
}

static void
update_rows (JnStepPage *self)
{
  GListModel *rows = jn_import_session_get_rows (self->session, self->category);

  if (rows == self->rows)
    return;

  if (self->rows != NULL)
    g_clear_signal_handler (&self->rows_changed_id, self->rows);
  g_set_object (&self->rows, rows);
  if (rows != NULL)
    self->rows_changed_id = g_signal_connect (rows, "items-changed",
                                              G_CALLBACK (rows_items_changed_cb), self);
  sort_all (self);
  update_birth_date_column (self);
  update_list_stack (self);
  update_summary (self);
}

static void
state_changed_cb (JnStepPage *self)
{
  if (self->fill_id != 0)
    return;
  update_rows (self);
  update_list_stack (self);
}

static gboolean
fill_cb (gpointer user_data)
{
  JnStepPage *self = user_data;

  self->fill_id = 0;
  update_rows (self);
  update_list_stack (self);
  return G_SOURCE_REMOVE;
}

/* A page made ahead reads its rows when first needed: asked, shown, or at its idle */
static void
ensure_filled (JnStepPage *self)
{
  if (self->fill_id != 0)
    {
      g_clear_handle_id (&self->fill_id, g_source_remove);
      fill_cb (self);
    }
}

static void
jn_step_page_map (GtkWidget *widget)
{
  JnStepPage *self = JN_STEP_PAGE (widget);

  ensure_filled (self);
  GTK_WIDGET_CLASS (jn_step_page_parent_class)->map (widget);
  /* The rows past the first batch, left while the page was not shown */
  add_slots (self, 0);
}

/* ---- GObject ---- */

static void
jn_step_page_constructed (GObject *object)
{
  JnStepPage *self = JN_STEP_PAGE (object);
  GtkGesture *gesture;

  G_OBJECT_CLASS (jn_step_page_parent_class)->constructed (object);

  g_assert (self->session != NULL);

  self->category = jn_import_session_step_category (self->step);
  /* TRANSLATORS: the header bar during an import: "Step 2/6: Students" */
  self->title = g_strdup_printf (_("Step %u/%u: %s"), self->step + 1, (guint)JN_N_STEPS,
                                 jn_category_get_label (self->category));
  adw_status_page_set_title (self->empty_category_page, empty_category_title (self->category));

  self->sorted = g_list_store_new (JN_TYPE_SESSION_ROW);
  self->filter_keys = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->filter = gtk_custom_filter_new (filter_row, self, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->sorted)),
                                                  GTK_FILTER (g_object_ref (self->filter)));
  self->slots = g_object_new (JN_TYPE_SLOT_LIST, NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->slots)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->selection, "notify::selected",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->filter_model, "items-changed",
                    G_CALLBACK (filtered_items_changed_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  setup_columns (self);

  gesture = gtk_gesture_click_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (gesture), GTK_PHASE_CAPTURE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (list_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (gesture));

  self->match_panel = JN_MATCH_PANEL (jn_match_panel_new (self->session));
  gtk_widget_set_hexpand (GTK_WIDGET (self->match_panel), FALSE);
  g_signal_connect_object (self->match_panel, "decided", G_CALLBACK (panel_decided_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->match_panel, "back", G_CALLBACK (panel_back_cb), self,
                           G_CONNECT_SWAPPED);
  adw_leaflet_page_set_name (adw_leaflet_append (self->leaflet, GTK_WIDGET (self->match_panel)),
                             "panel");
  folded_changed_cb (self);

  gtk_search_entry_set_key_capture_widget (self->search_entry, self->list_side);

  self->counts_changed_id = g_signal_connect (self->session, "counts-changed",
                                              G_CALLBACK (counts_changed_cb), self);
  self->state_notify_id = g_signal_connect_swapped (self->session, "notify::state",
                                                    G_CALLBACK (state_changed_cb), self);
  update_summary (self);
  if (!self->ahead)
    update_rows (self);
  else
    {
      /* In a turn of its own: the page's widgets are enough for this one */
      self->fill_id = g_idle_add_full (G_PRIORITY_LOW, fill_cb, self, NULL);
      gtk_stack_set_visible_child_name (self->list_stack, "loading");
    }
}

static void
jn_step_page_dispose (GObject *object)
{
  JnStepPage *self = JN_STEP_PAGE (object);

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->counts_changed_id, self->session);
      g_clear_signal_handler (&self->state_notify_id, self->session);
    }
  if (self->rows != NULL)
    g_clear_signal_handler (&self->rows_changed_id, self->rows);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  g_clear_handle_id (&self->add_slots_id, g_source_remove);
  g_clear_handle_id (&self->fill_id, g_source_remove);

  /* The bin's child is a template child: unparented once, by the bin */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_STEP_PAGE);

  g_clear_object (&self->selection);
  g_clear_object (&self->slots);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->sorted);
  g_clear_pointer (&self->filter_keys, g_hash_table_unref);
  g_clear_object (&self->rows);
  g_clear_object (&self->session);
  self->match_panel = NULL;

  G_OBJECT_CLASS (jn_step_page_parent_class)->dispose (object);
}

static void
jn_step_page_finalize (GObject *object)
{
  JnStepPage *self = JN_STEP_PAGE (object);

  g_free (self->search_text);
  g_free (self->folded_search);
  g_free (self->title);
  g_free (self->summary);

  G_OBJECT_CLASS (jn_step_page_parent_class)->finalize (object);
}

static void
jn_step_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  JnStepPage *self = JN_STEP_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_STEP:
      g_value_set_uint (value, self->step);
      break;
    case PROP_CATEGORY:
      g_value_set_enum (value, self->category);
      break;
    case PROP_FILTER:
      g_value_set_int (value, self->filter_kind);
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, jn_step_page_get_search_text (self));
      break;
    case PROP_SELECTED_ROW:
      g_value_set_object (value, jn_step_page_get_selected_row (self));
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_step_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  JnStepPage *self = JN_STEP_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_STEP:
      self->step = g_value_get_uint (value);
      break;
    case PROP_AHEAD:
      self->ahead = g_value_get_boolean (value);
      break;
    case PROP_FILTER:
      jn_step_page_set_filter (self, g_value_get_int (value));
      break;
    case PROP_SEARCH_TEXT:
      jn_step_page_set_search_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
jn_step_page_class_init (JnStepPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = jn_step_page_constructed;
  object_class->dispose = jn_step_page_dispose;
  object_class->finalize = jn_step_page_finalize;
  object_class->get_property = jn_step_page_get_property;
  object_class->set_property = jn_step_page_set_property;
  widget_class->map = jn_step_page_map;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, JN_TYPE_IMPORT_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP] =
    g_param_spec_uint ("step", NULL, NULL, 0, JN_N_STEPS - 1, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATEGORY] =
    g_param_spec_enum ("category", NULL, NULL, JN_TYPE_CATEGORY, JN_CATEGORY_TEACHER,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER] =
    g_param_spec_int ("filter", NULL, NULL, JN_STEP_FILTER_ALL, JN_STEP_FILTER_TO_CHECK,
                      JN_STEP_FILTER_ALL,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ROW] =
    g_param_spec_object ("selected-row", NULL, NULL, JN_TYPE_SESSION_ROW,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* Made ahead of being shown: the rows are read in a later main-loop turn (or when the
   * page is shown or asked for them first) */
  properties[PROP_AHEAD] =
    g_param_spec_boolean ("ahead", NULL, NULL, FALSE,
                          G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-step-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, list_side);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, causes_label);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, all_button);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, recognised_button);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, unrecognised_button);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, to_check_button);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, column_view);
  gtk_widget_class_bind_template_child_full (widget_class, "last_name_column", FALSE,
                                             G_STRUCT_OFFSET (JnStepPage, columns[COLUMN_LAST_NAME]));
  gtk_widget_class_bind_template_child_full (widget_class, "first_name_column", FALSE,
                                             G_STRUCT_OFFSET (JnStepPage, columns[COLUMN_FIRST_NAME]));
  gtk_widget_class_bind_template_child_full (widget_class, "birth_date_column", FALSE,
                                             G_STRUCT_OFFSET (JnStepPage, columns[COLUMN_BIRTH_DATE]));
  gtk_widget_class_bind_template_child_full (widget_class, "pronote_id_column", FALSE,
                                             G_STRUCT_OFFSET (JnStepPage, columns[COLUMN_PRONOTE_ID]));
  gtk_widget_class_bind_template_child_full (widget_class, "ent_account_column", FALSE,
                                             G_STRUCT_OFFSET (JnStepPage, columns[COLUMN_ENT_ACCOUNT]));
  gtk_widget_class_bind_template_child_full (widget_class, "match_column", FALSE,
                                             G_STRUCT_OFFSET (JnStepPage, columns[COLUMN_MATCH]));
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, empty_category_page);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, no_results_page);
  /* reachable with gtk_widget_get_template_child() */
  gtk_widget_class_bind_template_child_full (widget_class, "show_all_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, folded_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_all_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, focus_search_cb, NULL);
}

static void
jn_step_page_init (JnStepPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selected_position = 0;
}

/* ---- public API ---- */

GtkWidget *
jn_step_page_new (JnImportSession *session,
                  guint            step)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (session), NULL);
  g_return_val_if_fail (step < JN_N_STEPS, NULL);

  return g_object_new (JN_TYPE_STEP_PAGE, "session", session, "step", step, NULL);
}

GtkWidget *
jn_step_page_new_ahead (JnImportSession *session,
                        guint            step)
{
  g_return_val_if_fail (JN_IS_IMPORT_SESSION (session), NULL);
  g_return_val_if_fail (step < JN_N_STEPS, NULL);

  return g_object_new (JN_TYPE_STEP_PAGE, "session", session, "step", step, "ahead", TRUE, NULL);
}

JnImportSession *
jn_step_page_get_session (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return self->session;
}

guint
jn_step_page_get_step (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), 0);

  return self->step;
}

JnCategory
jn_step_page_get_category (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), JN_CATEGORY_TEACHER);

  return self->category;
}

const char *
jn_step_page_get_title (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return self->title;
}

const char *
jn_step_page_get_summary (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return self->summary;
}

JnStepFilter
jn_step_page_get_filter (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), JN_STEP_FILTER_ALL);

  return self->filter_kind;
}

void
jn_step_page_set_filter (JnStepPage   *self,
                         JnStepFilter  filter)
{
  GtkToggleButton *buttons[] = {
    self->all_button, self->recognised_button, self->unrecognised_button, self->to_check_button,
  };

  g_return_if_fail (JN_IS_STEP_PAGE (self));
  g_return_if_fail ((guint)filter <= JN_STEP_FILTER_TO_CHECK);

  if (!gtk_toggle_button_get_active (buttons[filter]))
    gtk_toggle_button_set_active (buttons[filter], TRUE); /* calls back here */

  if (self->filter_kind == filter)
    return;

  {
    JnStepFilter old = self->filter_kind;

    self->filter_kind = filter;
    if (self->filter != NULL)
      refilter (self, old == JN_STEP_FILTER_ALL ? GTK_FILTER_CHANGE_MORE_STRICT
                      : filter == JN_STEP_FILTER_ALL ? GTK_FILTER_CHANGE_LESS_STRICT
                      : GTK_FILTER_CHANGE_DIFFERENT);
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}

const char *
jn_step_page_get_search_text (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return self->search_text != NULL ? self->search_text : "";
}

void
jn_step_page_set_search_text (JnStepPage *self,
                              const char *text)
{
  g_return_if_fail (JN_IS_STEP_PAGE (self));

  /* at once, without the entry's delay (nor its "search-changed" for the emptied text) */
  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
  search_changed_cb (self);
}

void
jn_step_page_focus_search (JnStepPage *self)
{
  g_return_if_fail (JN_IS_STEP_PAGE (self));

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->list_side);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

GListModel *
jn_step_page_get_visible_rows (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  ensure_filled (self);
  return G_LIST_MODEL (self->filter_model);
}

JnSessionRow *
jn_step_page_get_selected_row (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return self->selection != NULL ? slot_row (gtk_single_selection_get_selected_item (self->selection)) : NULL;
}

gboolean
jn_step_page_select_row (JnStepPage   *self,
                         JnSessionRow *row)
{
  guint position;

  g_return_val_if_fail (JN_IS_STEP_PAGE (self), FALSE);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), FALSE);

  ensure_filled (self);

  position = find_position (G_LIST_MODEL (self->filter_model), row);
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

  complete_slots (self);
  gtk_single_selection_set_selected (self->selection, position);
  scroll_to (self, position);
  return TRUE;
}

GtkWidget *
jn_step_page_get_match_panel (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return GTK_WIDGET (self->match_panel);
}
