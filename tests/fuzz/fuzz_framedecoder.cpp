// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// libFuzzer target: whatever bytes a peer sends, cut into whatever pieces, the frame decoder and
// the event decoding behind it must neither crash nor loop, and must stop at the first error.
// Both decoding paths see the same bytes — next() with eventFromCbor() (the server reading its
// clients), and nextMessage() (the inspector reading events) — and must agree on where the
// stream is bad.
#include <mortar/inspectionprotocol.h>

#include <QCborArray>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace Mortar::InspectionProtocol;
    if (size == 0)
        return 0;
    // The first byte chooses how the stream is cut, as a socket would deliver it.
    const size_t chunk = size_t(data[0] % 64) + 1;
    FrameDecoder viaMaps;
    FrameDecoder viaStream;
    for (size_t offset = 1; offset < size; offset += chunk) {
        const QByteArray piece(reinterpret_cast<const char *>(data + offset),
                               qsizetype(std::min(chunk, size - offset)));
        viaMaps.feed(piece);
        viaStream.feed(piece);
        qsizetype messages = 0;
        while (const std::optional<QCborMap> message = viaMaps.next()) {
            ++messages;
            const QCborArray events = message->value(QStringLiteral("events")).toArray();
            for (const QCborValue &event : events)
                (void)eventFromCbor(event.toMap()).toJsonLine();
        }
        while (const std::optional<Message> message = viaStream.nextMessage()) {
            --messages;
            for (const Mortar::TraceEvent &event : message->events)
                (void)event.toJsonLine();
        }
        if (viaMaps.hasError() != viaStream.hasError() || messages != 0)
            std::abort(); // the two paths disagree about this stream
        if (viaMaps.hasError())
            break; // the connection would be closed here
    }
    return 0;
}
