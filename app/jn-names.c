/* jn-names.c: normalisation and similarity of French names
 *
 * Why matching fails (domain.md) drives every rule below. The normalisation table:
 *
 * | in the files                          | folded          | compact       | rule          |
 * |---------------------------------------|-----------------|---------------|---------------|
 * | ELAPHE / Elaphe / élaphe              | elaphe          | elaphe        | case, accents |
 * | Aïssa / AISSA                         | aissa           | aissa         | diaeresis     |
 * | ŒUVRARD / Oeuvrard                    | oeuvrard        | oeuvrard      | ligatures     |
 * | Jean-Emmanuel / Jean Emmanuel         | jean-emmanuel / | jeanemmanuel  | hyphen, space |
 * |                                       | jean emmanuel   |               |               |
 * | D'ALMEIDA / d’Almeida / DALMEIDA      | d-almeida       | dalmeida      | apostrophes   |
 * | "  MARTIN   Claire " (stray spaces)   | martin claire   | martinclaire  | white space   |
 * | MARIE DESIREE vs Marie (given)        | —               | —             | VARIANT: first|
 * |                                       |                 |               | given name    |
 * | DE LA TOUR vs La Tour vs Tour (family)| —               | first = tour  | VARIANT:      |
 * |                                       |                 |               | particles     |
 * | GARCIA LOPEZ vs Garcia (family)       | —               | —             | VARIANT: first|
 * |                                       |                 |               | part of double|
 *
 * EXACT means equal compact forms; VARIANT is weaker evidence, never enough alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-names"

#include "config.h"

#include <string.h>

#include "jn-names.h"

static const char * const particles[] = {
  "de", "du", "des", "d", "la", "le", "les", "l", "van", "von", "der", "den", "di", "da",
  "del", "della", "dos", "das", "do", "ten", "ter",
};

static gboolean
is_apostrophe_or_hyphen (gunichar c)
{
  switch (c)
    {
    case '\'': case '`': case 0x00B4: case 0x2018: case 0x2019: case 0x02BC: case 0x02B9:
    case '-': case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
append_folded_char (GString  *out,
                    gunichar  c)
{
  switch (c)
    {
    case 0x0152: case 0x0153: g_string_append (out, "oe"); return;   /* Œ œ */
    case 0x00C6: case 0x00E6: g_string_append (out, "ae"); return;   /* Æ æ */
    case 0x00DF: g_string_append (out, "ss"); return;                /* ß */
    case 0x00D8: case 0x00F8: g_string_append_c (out, 'o'); return;  /* Ø ø */
    case 0x0141: case 0x0142: g_string_append_c (out, 'l'); return;  /* Ł ł */
    case 0x0110: case 0x0111: g_string_append_c (out, 'd'); return;  /* Đ đ */
    default:
      break;
    }

  if (is_apostrophe_or_hyphen (c))
    {
      if (out->len > 0 && out->str[out->len - 1] == ' ')
        out->str[out->len - 1] = '-';
      else if (out->len > 0 && out->str[out->len - 1] != '-')
        g_string_append_c (out, '-');
      return;
    }

  if (g_unichar_isalnum (c))
    {
      g_string_append_unichar (out, g_unichar_tolower (c));
      return;
    }

  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return;   /* the accents left by the decomposition */
    default:
      break;
    }

  /* Any other character separates words. */
  if (out->len > 0 && out->str[out->len - 1] != ' ' && out->str[out->len - 1] != '-')
    g_string_append_c (out, ' ');
}

char *
jn_names_fold (const char *name)
{
  g_autofree char *decomposed = NULL;
  GString *out;
  const char *p;
  gboolean ascii = TRUE;

  if (name == NULL)
    return g_strdup ("");

  for (p = name; *p; p++)
    if ((guchar)*p >= 0x80)
      {
        ascii = FALSE;
        break;
      }

  if (!ascii)
    {
      decomposed = g_utf8_normalize (name, -1, G_NORMALIZE_NFKD);
      if (decomposed == NULL)   /* not UTF-8: cannot come from our readers */
        return g_strdup ("");
      name = decomposed;
    }

  out = g_string_sized_new (strlen (name));
  for (p = name; *p; p = g_utf8_next_char (p))
    append_folded_char (out, g_utf8_get_char (p));

  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '-'))
    g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

static char *
compact_of_folded (const char *folded,
                   gsize       len)
{
  char *compact = g_malloc (len + 1);
  char *q = compact;

  for (gsize i = 0; i < len; i++)
    if (folded[i] != ' ' && folded[i] != '-')
      *q++ = folded[i];
  *q = '\0';

  return compact;
}

char *
jn_names_compact (const char *name)
{
  g_autofree char *folded = jn_names_fold (name);

  return compact_of_folded (folded, strlen (folded));
}

static gboolean
is_particle (const char *token,
             gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (particles); i++)
    if (strlen (particles[i]) == len && strncmp (particles[i], token, len) == 0)
      return TRUE;

  return FALSE;
}

void
jn_name_key_init_family (JnNameKey  *key,
                         const char *family_name)
{
  const char *p;

  key->folded = jn_names_fold (family_name);
  key->compact = compact_of_folded (key->folded, strlen (key->folded));

  /* Leading particles dropped, as long as something is left */
  p = key->folded;
  for (;;)
    {
      gsize len = strcspn (p, " -");

      if (p[len] == '\0' || !is_particle (p, len))
        break;
      p += len + 1;
    }
  key->first = compact_of_folded (p, strlen (p));
  key->word = compact_of_folded (p, strcspn (p, " -"));
}

void
jn_name_key_init_given (JnNameKey  *key,
                        const char *given_name)
{
  key->folded = jn_names_fold (given_name);
  key->compact = compact_of_folded (key->folded, strlen (key->folded));
  /* Several given names are separated by spaces; a hyphen makes one compound name. */
  key->first = compact_of_folded (key->folded, strcspn (key->folded, " "));
  key->word = g_strdup (key->first);
}

void
jn_name_key_clear (JnNameKey *key)
{
  g_clear_pointer (&key->folded, g_free);
  g_clear_pointer (&key->compact, g_free);
  g_clear_pointer (&key->first, g_free);
  g_clear_pointer (&key->word, g_free);
}

/* TRUE when the words of @shorter start the words of @longer ("garcia" / "garcia lopez") */
static gboolean
is_word_prefix (const char *shorter,
                const char *longer)
{
  gsize len = strlen (shorter);

  if (len == 0 || len >= strlen (longer))
    return FALSE;

  for (gsize i = 0, j = 0; i < len; i++, j++)
    {
      gboolean sep_a = shorter[i] == ' ' || shorter[i] == '-';
      gboolean sep_b = longer[j] == ' ' || longer[j] == '-';

      if (sep_a != sep_b || (!sep_a && shorter[i] != longer[j]))
        return FALSE;
    }

  return longer[len] == ' ' || longer[len] == '-';
}

JnNameMatch
jn_names_match_family (const JnNameKey *a,
                       const JnNameKey *b)
{
  if (a->compact[0] == '\0' || b->compact[0] == '\0')
    return JN_NAME_MATCH_NONE;

  if (strcmp (a->compact, b->compact) == 0)
    return JN_NAME_MATCH_EXACT;

  if (strlen (a->first) >= 2 && strcmp (a->first, b->first) == 0)
    return JN_NAME_MATCH_VARIANT;

  /* One part of a double name: the same first word (a cheap test before the full one) */
  if (strcmp (a->word, b->word) == 0 &&
      (is_word_prefix (a->folded, b->folded) || is_word_prefix (b->folded, a->folded)))
    return JN_NAME_MATCH_VARIANT;

  return JN_NAME_MATCH_NONE;
}

JnNameMatch
jn_names_match_given (const JnNameKey *a,
                      const JnNameKey *b)
{
  if (a->compact[0] == '\0' || b->compact[0] == '\0')
    return JN_NAME_MATCH_NONE;

  if (strcmp (a->compact, b->compact) == 0)
    return JN_NAME_MATCH_EXACT;

  /* "marie desiree" / "marie": the first of several given names */
  if (strcmp (a->first, b->first) == 0 &&
      (strcmp (a->first, a->compact) == 0 || strcmp (b->first, b->compact) == 0))
    return JN_NAME_MATCH_VARIANT;

  return JN_NAME_MATCH_NONE;
}

double
jn_names_similarity (const char *a,
                     const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  gsize window, matches = 0, transpositions = 0, prefix = 0;
  gboolean a_used[64] = { FALSE }, b_used[64] = { FALSE };
  double jaro;

  if (la == 0 || lb == 0)
    return (la == lb) ? 1.0 : 0.0;
  la = MIN (la, 64);
  lb = MIN (lb, 64);

  window = MAX (la, lb) / 2;
  window = window > 0 ? window - 1 : 0;

  for (gsize i = 0; i < la; i++)
    {
      gsize lo = i > window ? i - window : 0;
      gsize hi = MIN (i + window + 1, lb);

      for (gsize j = lo; j < hi; j++)
        {
          if (!b_used[j] && a[i] == b[j])
            {
              a_used[i] = b_used[j] = TRUE;
              matches++;
              break;
            }
        }
    }

  if (matches == 0)
    return 0.0;

  for (gsize i = 0, j = 0; i < la; i++)
    {
      if (!a_used[i])
        continue;
      while (!b_used[j])
        j++;
      if (a[i] != b[j])
        transpositions++;
      j++;
    }

  jaro = ((double)matches / la + (double)matches / lb +
          (double)(matches - transpositions / 2) / matches) / 3.0;

  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
    prefix++;

  return jaro + prefix * 0.1 * (1.0 - jaro);
}

/* The parts of a folded name: runs between spaces and hyphens */
static guint
split_parts (const char  *folded,
             const char **starts,
             gsize       *lens,
             guint        max_parts)
{
  guint n = 0;
  const char *p = folded;

  while (*p != '\0')
    {
      gsize len;

      while (*p == ' ' || *p == '-')
        p++;
      len = strcspn (p, " -");
      if (len == 0)
        break;
      if (n == max_parts)
        return max_parts + 1;   /* too many: the caller gives up */
      starts[n] = p;
      lens[n] = len;
      n++;
      p += len;
    }

  return n;
}

#define MAX_PARTS 16

/* jn_names_given_shortened() with the compact forms known */
static gboolean
shortened (const char *shorter,
           const char *cs,
           const char *longer,
           const char *cf)
{
  const char *ps[MAX_PARTS], *pf[MAX_PARTS];
  gsize ls[MAX_PARTS], lf[MAX_PARTS];
  guint ns, nf;
  gsize len_s;

  /* Cheap tests first: a prefix, or the same initial */
  if (cs[0] == '\0' || cs[0] != cf[0] || strcmp (cs, cf) == 0)
    return FALSE;

  ns = split_parts (shorter, ps, ls, MAX_PARTS);
  nf = split_parts (longer, pf, lf, MAX_PARTS);
  if (ns == 0 || nf == 0 || ns > MAX_PARTS || nf > MAX_PARTS)
    return FALSE;

  len_s = strlen (cs);
  if (strncmp (cf, cs, len_s) == 0)
    {
      gboolean whole_parts = ns <= nf;

      if (len_s >= 4)
        return TRUE;
      for (guint i = 0; i < ns && whole_parts; i++)
        whole_parts = ls[i] == lf[i] && strncmp (ps[i], pf[i], ls[i]) == 0;
      if (whole_parts)
        return TRUE;
    }

  /* An initial and the other parts equal */
  if (ns < 2 || ns != nf || ls[0] != 1 || lf[0] < 2 || pf[0][0] != ps[0][0])
    return FALSE;
  for (guint i = 1; i < ns; i++)
    if (ls[i] != lf[i] || strncmp (ps[i], pf[i], ls[i]) != 0)
      return FALSE;

  return TRUE;
}

gboolean
jn_names_given_shortened (const char *shorter,
                          const char *longer)
{
  g_autofree char *cs = NULL, *cf = NULL;

  if (shorter == NULL || longer == NULL)
    return FALSE;
  cs = compact_of_folded (shorter, strlen (shorter));
  cf = compact_of_folded (longer, strlen (longer));

  return shortened (shorter, cs, longer, cf);
}

gboolean
jn_names_given_cut (const JnNameKey *a,
                    const JnNameKey *b)
{
  return shortened (a->folded, a->compact, b->folded, b->compact) ||
         shortened (b->folded, b->compact, a->folded, a->compact);
}

gboolean
jn_names_one_edit (const char *a,
                   const char *b,
                   gsize       min_len)
{
  gsize la, lb, i = 0;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strlen (a);
  lb = strlen (b);
  if (MIN (la, lb) < min_len || (la > lb ? la - lb : lb - la) > 1 || strcmp (a, b) == 0)
    return FALSE;

  while (a[i] != '\0' && a[i] == b[i])
    i++;

  if (la == lb)
    {
      /* One letter replaced, or two adjacent letters swapped */
      if (strcmp (a + i + 1, b + i + 1) == 0)
        return TRUE;
      return a[i + 1] != '\0' && a[i] == b[i + 1] && a[i + 1] == b[i] &&
             strcmp (a + i + 2, b + i + 2) == 0;
    }

  /* One letter added: the rest of the longer after it is the rest of the shorter */
  if (la < lb)
    return strcmp (a + i, b + i + 1) == 0;
  return strcmp (a + i + 1, b + i) == 0;
}
