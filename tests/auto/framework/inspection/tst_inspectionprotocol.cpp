// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The inspection protocol's frames: events written by the server's encoder come back
// unchanged through both decoding paths (next() + eventFromCbor(), and nextMessage()), however
// the bytes are cut; bad frames give the same error either way.
#include <mortar/inspectionprotocol.h>

#include <QCborArray>
#include <QJsonArray>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
namespace Protocol = Mortar::InspectionProtocol;
using Mortar::TraceEvent;

namespace {

QList<TraceEvent> sampleEvents(int count)
{
    QList<TraceEvent> events;
    for (int i = 0; i < count; ++i) {
        TraceEvent event;
        event.seq = i;
        event.t = 1000 * i + 7;
        event.thread = 1 + i % 3;
        event.kind = i % 2 ? u"handler.end"_s : u"handler.begin"_s;
        event.hook = u"pre_close"_s;
        event.handler = u"handler %1 — ünïcödé"_s.arg(i % 5);
        if (i % 4 == 0)
            event.weight = -i;
        event.owner = u"plugin:sync"_s;
        event.source = u"sync.cpp:%1"_s.arg(i);
        if (i % 2) {
            event.status = i % 3 ? u"ok"_s : u"failed"_s;
            event.durationNs = qint64(i) * 1'000'000'000'000LL; // beyond 32 bits
        }
        if (i % 7 == 0)
            event.error = QString(3000, u'x'); // longer than one chunk of anything
        if (i % 5 == 0)
            event.message = u"line\nwith \"quotes\""_s;
        if (i % 6 == 0)
            event.code = 255;
        if (i % 3 == 0)
            event.extra = QJsonObject{{u"cause"_s, u"signal"_s},
                                      {u"prevented"_s, true},
                                      {u"files"_s, QJsonArray{u"/a"_s, u"/b"_s}},
                                      {u"ratio"_s, 0.5}};
        events.append(event);
    }
    return events;
}

QByteArray lines(const QList<TraceEvent> &events)
{
    QByteArray all;
    for (const TraceEvent &event : events)
        all += event.toJsonLine();
    return all;
}

} // namespace

class tst_InspectionProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventsRoundTripThroughBothDecoders_data()
    {
        QTest::addColumn<int>("chunk");
        QTest::addRow("whole") << 0;
        QTest::addRow("1 byte at a time") << 1;
        QTest::addRow("7 bytes at a time") << 7;
        QTest::addRow("4 KiB at a time") << 4096;
    }

    void eventsRoundTripThroughBothDecoders()
    {
        QFETCH(int, chunk);
        const QList<TraceEvent> events = sampleEvents(700);
        QByteArray stream;
        qint64 skipped = 0;
        Protocol::appendEventFrames(stream, events, 256, &skipped); // several frames
        QCOMPARE(skipped, 0);

        Protocol::FrameDecoder viaMaps;
        Protocol::FrameDecoder viaStream;
        QList<TraceEvent> fromMaps;
        QList<TraceEvent> fromStream;
        int frames = 0;
        const qsizetype step = chunk > 0 ? chunk : stream.size();
        for (qsizetype offset = 0; offset < stream.size(); offset += step) {
            const QByteArray piece = stream.mid(offset, step);
            viaMaps.feed(piece);
            viaStream.feed(piece);
            while (const std::optional<QCborMap> message = viaMaps.next()) {
                ++frames;
                QCOMPARE(message->value(u"type"_s).toString(), u"events"_s);
                for (const QCborValue &event : message->value(u"events"_s).toArray())
                    fromMaps.append(Protocol::eventFromCbor(event.toMap()));
            }
            while (const std::optional<Protocol::Message> message = viaStream.nextMessage()) {
                QCOMPARE(message->type(), u"events"_s);
                QVERIFY(!message->map.contains(u"events"_s));
                fromStream += message->events;
            }
        }
        QVERIFY2(!viaMaps.hasError(), qPrintable(viaMaps.errorString()));
        QVERIFY2(!viaStream.hasError(), qPrintable(viaStream.errorString()));
        QCOMPARE(frames, 3);
        QCOMPARE(fromMaps.size(), events.size());
        QCOMPARE(fromStream.size(), events.size());
        // The trace file's line of each event is the same after the trip, either way.
        QCOMPARE(lines(fromMaps), lines(events));
        QCOMPARE(lines(fromStream), lines(events));
        QCOMPARE(lines({Protocol::eventFromCbor(Protocol::eventToCbor(events.at(3)))}),
                 lines({events.at(3)}));
    }

    void emptyStringsAndOddKeysAreKept()
    {
        // Found by the fuzzer: an empty key.
        const QCborMap sent{{u""_s, u"type"_s}, {u"type"_s, u"x"_s}, {42, u"answer"_s}};
        Protocol::FrameDecoder decoder;
        decoder.feed(Protocol::encodeFrame(sent));
        const std::optional<Protocol::Message> message = decoder.nextMessage();
        QVERIFY2(message, qPrintable(decoder.errorString()));
        QCOMPARE(message->map, sent);
    }

    void otherMessagesKeepTheirMap()
    {
        Protocol::FrameDecoder decoder;
        decoder.feed(Protocol::encodeFrame({{u"type"_s, u"missed"_s}, {u"count"_s, 42}}));
        const std::optional<Protocol::Message> message = decoder.nextMessage();
        QVERIFY(message);
        QCOMPARE(message->type(), u"missed"_s);
        QCOMPARE(message->map.value(u"count"_s).toInteger(), 42);
        QVERIFY(message->events.isEmpty());
    }

    void badFramesGiveTheSameErrorEitherWay_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("error");
        const auto frameOf = [](const QByteArray &body) -> QByteArray {
            QByteArray frame(4, Qt::Uninitialized);
            qToBigEndian<quint32>(quint32(body.size()), frame.data());
            return frame + body;
        };
        QByteArray oversized(4, Qt::Uninitialized);
        qToBigEndian<quint32>(quint32(Protocol::MaxFrameSize + 1), oversized.data());
        QTest::addRow("oversized") << oversized << u"larger than the limit"_s;
        QTest::addRow("garbage") << frameOf("\xff\xff\xff") << u"not valid CBOR"_s;
        QTest::addRow("not a map") << frameOf(QCborValue(42).toCbor()) << u"not a CBOR map"_s;
        QTest::addRow("two values") << frameOf(QCborValue(QCborMap{{u"type"_s, u"live"_s}}).toCbor()
                                               + QCborValue(1).toCbor())
                                    << u"more than one CBOR value"_s;
        // Found by the fuzzer: a map whose second entry is missing, its string cut short.
        QTest::addRow("truncated string")
                << frameOf(QByteArray::fromBase64("omR0eXBlZWhlbGw=")) << u"not valid CBOR"_s;
        QTest::addRow("truncated events")
                << frameOf(QCborValue(QCborMap{{u"type"_s, u"events"_s},
                                               {u"events"_s, QCborArray{QCborMap{{u"seq"_s, 1}}}}})
                                   .toCbor()
                                   .chopped(2))
                << u"not valid CBOR"_s;
    }

    void badFramesGiveTheSameErrorEitherWay()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, error);
        Protocol::FrameDecoder viaMaps;
        Protocol::FrameDecoder viaStream;
        viaMaps.feed(frame);
        viaStream.feed(frame);
        QVERIFY(!viaMaps.next());
        QVERIFY(!viaStream.nextMessage());
        QVERIFY2(viaMaps.errorString().contains(error), qPrintable(viaMaps.errorString()));
        QVERIFY2(viaStream.errorString().contains(error), qPrintable(viaStream.errorString()));
    }
};

QTEST_GUILESS_MAIN(tst_InspectionProtocol)
#include "tst_inspectionprotocol.moc"
