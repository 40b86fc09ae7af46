// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// libFuzzer target: whatever bytes a peer sends, cut into whatever pieces, the frame decoder and
// the event decoding behind it must neither crash nor loop, and must stop at the first error.
#include <mortar/inspectionprotocol.h>

#include <QCborArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace Mortar::InspectionProtocol;
    if (size == 0)
        return 0;
    // The first byte chooses how the stream is cut, as a socket would deliver it.
    const size_t chunk = size_t(data[0] % 64) + 1;
    FrameDecoder decoder;
    for (size_t offset = 1; offset < size; offset += chunk) {
        decoder.feed(QByteArray(reinterpret_cast<const char *>(data + offset),
                                qsizetype(std::min(chunk, size - offset))));
        while (const std::optional<QCborMap> message = decoder.next()) {
            // The client's path for events.
            const QCborArray events = message->value(QStringLiteral("events")).toArray();
            for (const QCborValue &event : events)
                (void)eventFromCbor(event.toMap()).toJsonLine();
        }
        if (decoder.hasError())
            break; // the connection would be closed here
    }
    return 0;
}
