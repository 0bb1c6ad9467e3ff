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

struct _JnStepPage
{
  AdwBin               parent_instance;

  /* template widgets */
  AdwLeaflet          *leaflet;
  GtkWidget           *list_side;
  GtkLabel            *summary_label;
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
  GtkSortListModel    *sort_model;
  GtkFilterListModel  *filter_model;
  GtkCustomFilter     *filter;
  GtkSingleSelection  *selection;
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

static void
update_summary (JnStepPage *self)
{
  JnStepCounts counts = { 0 };
  g_autofree char *summary = NULL;

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
  JnSessionRow *row = gtk_list_item_get_item (list_item);
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
  if (column == COLUMN_MATCH || column == COLUMN_ENT_ACCOUNT)
    gtk_widget_set_tooltip_text (cell, text != NULL && *text != '\0' ? text : NULL);
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

/* Rows change in place (the list keeps the same item): each cell follows its row */
static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  JnSessionRow *row = gtk_list_item_get_item (list_item);
  gulong handler = g_signal_connect (row, "notify", G_CALLBACK (row_notify_cb), list_item);

  g_object_set_data (G_OBJECT (list_item), "row-notify", GSIZE_TO_POINTER (handler));
  update_cell (list_item);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  JnSessionRow *row = gtk_list_item_get_item (list_item);
  gulong handler = GPOINTER_TO_SIZE (g_object_steal_data (G_OBJECT (list_item), "row-notify"));

  if (row != NULL && handler != 0)
    g_signal_handler_disconnect (row, handler);
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
  JnSessionRow *row = gtk_single_selection_get_selected_item (self->selection);
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

static void
rows_items_changed_cb (JnStepPage *self)
{
  if (!gtk_column_view_column_get_visible (self->columns[COLUMN_BIRTH_DATE]))
    update_birth_date_column (self);
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
    self->rows_changed_id = g_signal_connect_swapped (rows, "items-changed",
                                                      G_CALLBACK (rows_items_changed_cb), self);
  gtk_sort_list_model_set_model (self->sort_model, rows);
  update_birth_date_column (self);
  update_list_stack (self);
  update_summary (self);
}

static void
state_changed_cb (JnStepPage *self)
{
  update_rows (self);
  update_list_stack (self);
}

/* ---- GObject ---- */

static void
jn_step_page_constructed (GObject *object)
{
  JnStepPage *self = JN_STEP_PAGE (object);
  g_autoptr(GtkCustomSorter) sorter = NULL;
  GtkGesture *gesture;

  G_OBJECT_CLASS (jn_step_page_parent_class)->constructed (object);

  g_assert (self->session != NULL);

  self->category = jn_import_session_step_category (self->step);
  /* TRANSLATORS: the header bar during an import: "Step 2/6: Students" */
  self->title = g_strdup_printf (_("Step %u/%u: %s"), self->step + 1, (guint)JN_N_STEPS,
                                 jn_category_get_label (self->category));
  adw_status_page_set_title (self->empty_category_page, empty_category_title (self->category));

  sorter = gtk_custom_sorter_new (jn_session_row_compare, NULL, NULL);
  self->sort_model = gtk_sort_list_model_new (NULL, GTK_SORTER (g_steal_pointer (&sorter)));
  self->filter = gtk_custom_filter_new (filter_row, self, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->sort_model)),
                                                  GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->selection, "notify::selected",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->filter_model, "items-changed",
                            G_CALLBACK (update_list_stack), self);
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
  update_rows (self);
  update_summary (self);
  update_list_stack (self);
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

  /* The bin's child is a template child: unparented once, by the bin */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), JN_TYPE_STEP_PAGE);

  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->sort_model);
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
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/fr/jonction/Jonction/jn-step-page.ui");
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, list_side);
  gtk_widget_class_bind_template_child (widget_class, JnStepPage, summary_label);
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

  return G_LIST_MODEL (self->filter_model);
}

JnSessionRow *
jn_step_page_get_selected_row (JnStepPage *self)
{
  g_return_val_if_fail (JN_IS_STEP_PAGE (self), NULL);

  return self->selection != NULL ? gtk_single_selection_get_selected_item (self->selection) : NULL;
}

gboolean
jn_step_page_select_row (JnStepPage   *self,
                         JnSessionRow *row)
{
  guint position;

  g_return_val_if_fail (JN_IS_STEP_PAGE (self), FALSE);
  g_return_val_if_fail (JN_IS_SESSION_ROW (row), FALSE);

  position = find_position (G_LIST_MODEL (self->filter_model), row);
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;

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
