/* jn-envelope.h: Index Education's encrypted export container
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-xml.h"

G_BEGIN_DECLS

#define JN_ENVELOPE_ROOT "EXPORT_INDEX_EDUCATION"
/* Opening tries each partner with an RSA operation: an envelope listing more is refused */
#define JN_ENVELOPE_MAX_PARTNERS 32

typedef struct _JnEnvelope JnEnvelope;

/* Reads the container from @reader, positioned on its root element. */
JnEnvelope   *jn_envelope_parse             (JnXmlReader   *reader,
                                             const char    *display_name,
                                             GError       **error);
void          jn_envelope_free              (JnEnvelope    *self);

/* Partner names, in file order */
GStrv         jn_envelope_dup_partners      (JnEnvelope    *self);
const char   *jn_envelope_get_uai           (JnEnvelope    *self);
const char   *jn_envelope_get_establishment (JnEnvelope    *self);
const char   *jn_envelope_get_date_time     (JnEnvelope    *self);
const char   *jn_envelope_get_software      (JnEnvelope    *self);

/* Decrypts, verifies and inflates the content (once: the encrypted content is released) with the partner's private key (PKCS#8, PEM
 * or DER). @partner may be NULL: the only partner the key opens is taken. Returns the
 * cleartext XML as it was sealed (a byte-order mark included); @out_partner receives the partner used. */
GBytes       *jn_envelope_open              (JnEnvelope    *self,
                                             GBytes        *key_data,
                                             const char    *key_name,
                                             const char    *partner,
                                             char         **out_partner,
                                             GCancellable  *cancellable,
                                             GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnEnvelope, jn_envelope_free)

G_END_DECLS
