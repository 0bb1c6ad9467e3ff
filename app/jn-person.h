/* jn-person.h: one person of a PRONOTE export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "jn-types.h"

G_BEGIN_DECLS

#define JN_TYPE_PERSON (jn_person_get_type ())
G_DECLARE_FINAL_TYPE (JnPerson, jn_person, JN, PERSON, GObject)

JnPerson     *jn_person_new                (JnCategory   category);

JnCategory    jn_person_get_category       (JnPerson    *self);
/* PRONOTE identifier (IDPN), or NULL */
const char   *jn_person_get_pronote_id     (JnPerson    *self);
/* CAS identifier (IDCAS): non-NULL once the user connected through an ENT */
const char   *jn_person_get_cas_id         (JnPerson    *self);
/* PRONOTE's internal number (Ident), or NULL */
const char   *jn_person_get_ident          (JnPerson    *self);
const char   *jn_person_get_family_name    (JnPerson    *self);
const char   *jn_person_get_given_name     (JnPerson    *self);
/* "YYYY-MM-DD", or NULL when unknown */
const char   *jn_person_get_birth_date     (JnPerson    *self);
/* As written by PRONOTE: "M.", "Mme", "M,Mme"…, or NULL */
const char   *jn_person_get_civility       (JnPerson    *self);
/* TRUE when one record stands for two people (Civilite="M,Mme") */
gboolean      jn_person_get_is_couple      (JnPerson    *self);
/* RespLegal attribute of a relative: 1, 2, or 0 when not a legal guardian / unknown */
guint         jn_person_get_legal_rank     (JnPerson    *self);
/* TRUE when the export gave RespLegal (then 0 says "not a legal guardian") */
gboolean      jn_person_get_legal_rank_known (JnPerson  *self);
/* For relatives: the students (JnPerson) this person is responsible for */
GPtrArray    *jn_person_get_children       (JnPerson    *self);
/* The line of the export where the record starts (its first occurrence), or 0 */
guint         jn_person_get_line           (JnPerson    *self);
/* TRUE when another record of the export (of any category: a student and her parent, or
 * two different people) carries the same PRONOTE identifier: such records are never
 * matched automatically ("duplicate-in-export") */
gboolean      jn_person_get_duplicate_id   (JnPerson    *self);
/* TRUE when the record's PRONOTE identifier is not what PRONOTE writes
 * (jn_pronote_id_is_wellformed()): kept for display, never pushed */
gboolean      jn_person_get_id_invalid     (JnPerson    *self);
/* Most children a relative may have in an export */
#define JN_PERSON_MAX_CHILDREN 500

/* "FAMILY Given", for display and logs-free messages */
char         *jn_person_dup_display_name   (JnPerson    *self);

/* Setters, used by the record reader (not by the UI) */
void          jn_person_set_pronote_id     (JnPerson    *self,
                                            const char  *pronote_id);
void          jn_person_set_cas_id         (JnPerson    *self,
                                            const char  *cas_id);
void          jn_person_set_ident          (JnPerson    *self,
                                            const char  *ident);
void          jn_person_set_family_name    (JnPerson    *self,
                                            const char  *family_name);
void          jn_person_set_given_name     (JnPerson    *self,
                                            const char  *given_name);
void          jn_person_set_birth_date     (JnPerson    *self,
                                            const char  *birth_date);
void          jn_person_set_civility       (JnPerson    *self,
                                            const char  *civility);
void          jn_person_set_legal_rank     (JnPerson    *self,
                                            guint        legal_rank);
void          jn_person_set_line           (JnPerson    *self,
                                            guint        line);
void          jn_person_set_duplicate_id   (JnPerson    *self,
                                            gboolean     duplicate_id);
/* Adds @child unless already linked; returns TRUE when added */
gboolean      jn_person_add_child          (JnPerson    *self,
                                            JnPerson    *child);

G_END_DECLS
