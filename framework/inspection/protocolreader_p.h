// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/inspectionprotocol.h>

namespace Mortar::InspectionProtocol {

/*!
    Reads the frame \a body into \a message with QCborStreamReader: the events of an \c events
    message go straight into TraceEvents. Returns why the body is not one CBOR map, or an empty
    string — the same reasons, in the same words, as FrameDecoder::next().
*/
QString readMessage(const QByteArray &body, Message &message);

} // namespace Mortar::InspectionProtocol
