// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include <mortar/app.h>
#include <mortar/inspectionprotocol.h>

#include "app_p.h"
#include "inspectionserver_p.h"

#include <QCborArray>
#include <QDir>
#include <QFileInfo>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::Internal::InspectionServer;
namespace Protocol = Mortar::InspectionProtocol;

namespace {
/*! A test's inspector: a real local socket and the protocol's decoder. */
class Client
{
public:
    bool connectTo(const QString &path)
    {
        m_socket.connectToServer(path);
        return m_socket.waitForConnected(5000);
    }
    void sendRaw(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    void send(const QCborMap &message) { sendRaw(Protocol::encodeFrame(message)); }
    void hello(const QString &token) { send({{u"type"_s, u"hello"_s}, {u"token"_s, token}}); }

    /*! Messages until one of \a type arrived (included), or for at most \a timeoutMs. */
    QList<QCborMap> readUntil(const QString &type, int timeoutMs = 5000)
    {
        QList<QCborMap> messages;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            while (std::optional<QCborMap> message = m_decoder.next()) {
                messages.append(*message);
                if (message->value(u"type"_s).toString() == type)
                    return messages;
            }
            if (m_socket.state() != QLocalSocket::ConnectedState && m_socket.bytesAvailable() == 0)
                break;
            // Let the server (same thread) run, then take what arrived.
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            if (m_socket.bytesAvailable() || m_socket.waitForReadyRead(20))
                m_decoder.feed(m_socket.readAll());
        }
        return messages;
    }
    bool isDisconnected()
    {
        for (int i = 0; i < 100 && m_socket.state() == QLocalSocket::ConnectedState; ++i) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            if (m_socket.state() == QLocalSocket::ConnectedState)
                m_socket.waitForDisconnected(20);
        }
        return m_socket.state() != QLocalSocket::ConnectedState;
    }
    QLocalSocket &socket() { return m_socket; }

private:
    QLocalSocket m_socket;
    Protocol::FrameDecoder m_decoder;
};

QStringList typesOf(const QList<QCborMap> &messages)
{
    QStringList types;
    for (const QCborMap &message : messages)
        types << message.value(u"type"_s).toString();
    return types;
}

QStringList eventKinds(const QList<QCborMap> &messages)
{
    QStringList kinds;
    for (const QCborMap &message : messages) {
        if (message.value(u"type"_s).toString() != u"events"_s)
            continue;
        for (const QCborValue &event : message.value(u"events"_s).toArray())
            kinds << event.toMap().value(u"kind"_s).toString();
    }
    return kinds;
}
} // namespace

class tst_InspectionServer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_runtime; // the runtime directory of these tests, 0700 like XDG's

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_runtime.isValid());
        QVERIFY(QFile::setPermissions(m_runtime.path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
        QLoggingCategory::setFilterRules(u"mortar.inspect.info=false"_s);
    }

    void refusesADirectoryOthersMayEnter()
    {
        QString path;
        QVERIFY(InspectionServer::runtimeDirectory(&path));
        QVERIFY(QFile::setPermissions(
                path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ExeOther));
        const Mortar::Result refused = InspectionServer::runtimeDirectory(&path);
        QVERIFY(!refused);
        QVERIFY2(refused.errorString().contains(u"must be 0700"_s),
                 qPrintable(refused.errorString()));
        QVERIFY(QFile::setPermissions(path,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }

    void listensInAPrivateDirectoryWithAToken()
    {
        App app({.label = u"inspected"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        const Mortar::Result listening = server.listen();
        QVERIFY2(listening, qPrintable(listening.errorString()));
        const QFileInfo directory(QFileInfo(server.socketPath()).path());
        QCOMPARE(directory.fileName(), u"mortar"_s);
        QCOMPARE(directory.permissions() & 0x0077, QFile::Permissions());
        QVERIFY(QFileInfo(server.socketPath()).fileName().startsWith(u"inspected-"_s));
        const QFileInfo token(server.tokenPath());
        QVERIFY(token.exists());
        QCOMPARE(token.permissions(),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
        QFile file(server.tokenPath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromLatin1(file.readAll()), server.token());
        QCOMPARE(server.token().size(), 64);
    }

    void helloSnapshotBacklogThenLive()
    {
        App app({.label = u"inspected"_s});
        app.hooks().add(u"pre_close"_s, [] {}, {.weight = -3, .name = u"flush"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        app.log().info(u"before the inspector"_s);

        Client client;
        QVERIFY(client.connectTo(server.socketPath()));
        client.hello(server.token());
        const QList<QCborMap> greeting = client.readUntil(u"live"_s);
        const QStringList types = typesOf(greeting);
        QVERIFY2(types.size() >= 4, qPrintable(types.join(u',')));
        QCOMPARE(types.mid(0, 2), (QStringList{u"hello"_s, u"snapshot"_s}));
        QCOMPARE(types.last(), u"live"_s);
        QCOMPARE(greeting[0].value(u"protocol"_s).toInteger(), Protocol::Version);
        QCOMPARE(greeting[0].value(u"label"_s).toString(), u"inspected"_s);
        QCOMPARE(greeting[0].value(u"pid"_s).toInteger(), QCoreApplication::applicationPid());
        QCOMPARE(greeting[0].value(u"state"_s).toString(), u"Created"_s);

        // The snapshot: hooks with their handlers, the App's signal handler with its receivers.
        bool sawFlush = false;
        for (const QCborValue &hook : greeting[1].value(u"hooks"_s).toArray()) {
            if (hook.toMap().value(u"name"_s).toString() != u"pre_close"_s)
                continue;
            const QCborArray handlers = hook.toMap().value(u"handlers"_s).toArray();
            QCOMPARE(handlers.size(), 2);
            QCOMPARE(handlers[0].toMap().value(u"name"_s).toString(), u"flush"_s);
            QCOMPARE(handlers[0].toMap().value(u"weight"_s).toInteger(), -3);
            QCOMPARE(handlers[1].toMap().value(u"name"_s).toString(), u"App::preClose()"_s);
            QCOMPARE(handlers[1].toMap().value(u"receivers"_s).toInteger(), 0);
            sawFlush = true;
        }
        QVERIFY(sawFlush);
        QVERIFY(eventKinds(greeting).contains(u"log"_s)); // the backlog

        // Live: the close, step by step, each event once.
        app.close();
        const QList<QCborMap> live =
                client.readUntil(u"events"_s) + client.readUntil(u"(everything)"_s, 300);
        const QStringList kinds = eventKinds(live);
        QVERIFY2(kinds.contains(u"close.begin"_s) && kinds.contains(u"close.end"_s),
                 qPrintable(kinds.join(u',')));
        QCOMPARE(kinds.count(u"close.end"_s), 1);
        QVERIFY(kinds.indexOf(u"close.begin"_s) < kinds.indexOf(u"close.end"_s));
        QVERIFY(!kinds.contains(u"app.created"_s)); // that was in the backlog, not sent again
    }

    void aLargeRegistryArrivesInSnapshotPartsUnderTheFrameLimit()
    {
        // 30 000 handlers are a few MiB of snapshot: more than one frame may hold (spec §10.1).
        App app({.label = u"inspected"_s});
        constexpr int Count = 30'000;
        for (int i = 0; i < Count; ++i)
            app.hooks().add(u"pre_close"_s, [] {},
                            {.name = u"storage: flush journal segment %1"_s.arg(i, 6, 10,
                                                                                QLatin1Char('0'))});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());

        Client client;
        QVERIFY(client.connectTo(server.socketPath()));
        client.hello(server.token());
        const QList<QCborMap> greeting = client.readUntil(u"live"_s, 30'000);
        QStringList names;
        int parts = 0;
        for (const QCborMap &message : greeting) {
            if (message.value(u"type"_s).toString() != u"snapshot"_s)
                continue;
            ++parts;
            QVERIFY(Protocol::encodeFrame(message).size() <= Protocol::MaxFrameSize + 4);
            QCOMPARE(message.contains(u"plugins"_s), parts == 1); // the first part has them
            for (const QCborValue &hook : message.value(u"hooks"_s).toArray()) {
                if (hook.toMap().value(u"name"_s).toString() != u"pre_close"_s)
                    continue;
                for (const QCborValue &handler : hook.toMap().value(u"handlers"_s).toArray())
                    names << handler.toMap().value(u"name"_s).toString();
            }
        }
        QVERIFY2(parts > 1, qPrintable(QString::number(parts)));
        // Together the parts are the registry, in run order.
        QCOMPARE(names.size(), Count + 1);             // and App::preClose()
        QCOMPARE(names.first(), u"App::preClose()"_s); // registered by the App, first
        for (int i = 0; i < Count; ++i)
            QCOMPARE(names.at(i + 1),
                     u"storage: flush journal segment %1"_s.arg(i, 6, 10, QLatin1Char('0')));
        QCOMPARE(typesOf(greeting).last(), u"live"_s);
    }

    void aWrongTokenIsRefused()
    {
        App app({.label = u"inspected"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"did not carry the token"_s));
        Client client;
        QVERIFY(client.connectTo(server.socketPath()));
        client.hello(u"guess"_s);
        const QList<QCborMap> answer = client.readUntil(u"error"_s);
        QCOMPARE(typesOf(answer), QStringList{u"error"_s});
        QVERIFY(client.isDisconnected());
        QCOMPARE(server.clientCount(), 0);
    }

    void badFramesDropOnlyThatClient_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("why");
        QByteArray oversized(4, Qt::Uninitialized);
        qToBigEndian<quint32>(quint32(Protocol::MaxFrameSize + 1), oversized.data());
        QByteArray garbage(4, Qt::Uninitialized);
        qToBigEndian<quint32>(5, garbage.data());
        garbage += QByteArray("\xff\xff\xff\xff\xff", 5);
        QByteArray notAMap = Protocol::encodeFrame({});
        notAMap = notAMap.left(4) + QCborValue(42).toCbor();
        qToBigEndian<quint32>(quint32(notAMap.size() - 4), notAMap.data());
        QTest::addRow("oversized") << oversized << u"larger than the limit"_s;
        QTest::addRow("garbage") << garbage << u"not valid CBOR"_s;
        QTest::addRow("not-a-map") << notAMap << u"not a CBOR map"_s;
        QTest::addRow("unknown-command")
                << Protocol::encodeFrame({{u"type"_s, u"shutdownEverything"_s}})
                << u"not a command"_s;
    }
    void badFramesDropOnlyThatClient()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, why);
        App app({.label = u"inspected"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        Client good, bad;
        QVERIFY(good.connectTo(server.socketPath()));
        QVERIFY(bad.connectTo(server.socketPath()));
        good.hello(server.token());
        bad.hello(server.token());
        QCOMPARE(typesOf(good.readUntil(u"live"_s)).last(), u"live"_s);
        QCOMPARE(typesOf(bad.readUntil(u"live"_s)).last(), u"live"_s);

        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(why));
        bad.sendRaw(bytes);
        QVERIFY(bad.isDisconnected());
        QCOMPARE(server.clientCount(), 1);
        app.log().warning(u"still streaming"_s);
        QVERIFY(eventKinds(good.readUntil(u"events"_s)).contains(u"log"_s));
    }

    void aTruncatedFrameThenHangupIsHarmless()
    {
        App app({.label = u"inspected"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        {
            Client client;
            QVERIFY(client.connectTo(server.socketPath()));
            client.sendRaw(
                    Protocol::encodeFrame({{u"type"_s, u"hello"_s}, {u"token"_s, server.token()}})
                            .left(9));
            QTRY_COMPARE(server.clientCount(), 1);
        }
        QTRY_COMPARE(server.clientCount(), 0);
    }

    void requestCloseAsksTheApp()
    {
        App app({.label = u"inspected"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        QSignalSpy requested(&server, &InspectionServer::closeRequested);
        Client client;
        QVERIFY(client.connectTo(server.socketPath()));
        client.hello(server.token());
        client.readUntil(u"live"_s);
        client.send({{u"type"_s, u"requestClose"_s}});
        QTRY_COMPARE(requested.count(), 1);
    }

    void theAppStartsItsServerWhenAsked()
    {
        App app({.label = u"asked"_s, .inspect = true});
        QVERIFY(app.setup());
        QString directory;
        QVERIFY(InspectionServer::runtimeDirectory(&directory));
        const QString socket =
                QDir(directory).filePath(u"asked-%1"_s.arg(QCoreApplication::applicationPid()));
        QVERIFY2(QFile::exists(socket), qPrintable(socket));
        QFile tokenFile(socket + u".token"_s);
        QVERIFY(tokenFile.open(QIODevice::ReadOnly));

        Client client;
        QVERIFY(client.connectTo(socket));
        client.hello(QString::fromLatin1(tokenFile.readAll()));
        const QList<QCborMap> greeting = client.readUntil(u"live"_s);
        QCOMPARE(greeting.first().value(u"state"_s).toString(), u"Ready"_s);
        client.send({{u"type"_s, u"requestClose"_s}});
        QTRY_COMPARE(app.state(), App::State::Closed);
        QString cause;
        for (const Mortar::TraceEvent &event : app.trace().events()) {
            if (event.kind == u"close.begin"_s)
                cause = event.extra.value(u"cause"_s).toString();
        }
        QCOMPARE(cause, u"inspector"_s);
        // The inspector saw the close to its end.
        QVERIFY(eventKinds(client.readUntil(u"(everything)"_s, 500)).contains(u"close.end"_s));
    }

    void aSlowClientGetsEverythingLater()
    {
        App app({.label = u"inspected"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        server.setMaxPendingBytes(64 * 1024);
        QVERIFY(server.listen());
        // It stops reading while the App logs a lot: the App does not wait for it, and at most
        // 64 KiB are queued for it; the rest stays in the trace until it reads again.
        const LateReading late = logWhileNotReading(
                app, server, u"line %1 with some text to make it longer than it needs to be"_s);
        QCOMPARE(late.missed, 0);
        QCOMPARE(late.lines, 20000);
        QVERIFY(late.sawTheEnd);
    }

    void aSlowClientIsToldWhatTheTraceDropped()
    {
        App app({.label = u"inspected"_s});
        app.trace().setCapacity(2000); // the oldest log events go first
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        server.setMaxPendingBytes(16 * 1024);
        QVERIFY(server.listen());
        // Reading again, it is told how many events it lost; it gets the rest.
        const LateReading late = logWhileNotReading(app, server, u"line %1"_s);
        QVERIFY2(late.missed > 0 && late.lines + late.missed == 20000,
                 qPrintable(u"missed %1, received %2"_s.arg(late.missed).arg(late.lines)));
        QVERIFY(late.sawTheEnd);
    }

private:
    /*! What a client that stopped reading got once it read again. */
    struct LateReading
    {
        qint64 lines = 0;  // log lines received
        qint64 missed = 0; // events reported missed
        bool sawTheEnd = false;
    };

    /*! A client subscribes, then reads nothing while the App logs 20 000 lines made of
        \a pattern and "the end"; then it reads everything that comes. */
    static LateReading logWhileNotReading(App &app, InspectionServer &server,
                                          const QString &pattern)
    {
        Client slow;
        LateReading late;
        if (!slow.connectTo(server.socketPath()))
            return late;
        slow.hello(server.token());
        slow.readUntil(u"live"_s);
        QLoggingCategory::setFilterRules(u"inspected.info=false"_s);
        auto restore = qScopeGuard([] { QLoggingCategory::setFilterRules(QString()); });
        for (int i = 0; i < 20000; ++i)
            app.log().info(pattern.arg(i));
        app.log().info(u"the end"_s);
        for (const QCborMap &message : slow.readUntil(u"(everything)"_s, 2000)) {
            if (message.value(u"type"_s).toString() == u"missed"_s)
                late.missed += message.value(u"count"_s).toInteger();
            for (const QCborValue &event : message.value(u"events"_s).toArray()) {
                const QString text = event.toMap().value(u"message"_s).toString();
                late.lines += text.startsWith(u"line "_s);
                late.sawTheEnd |= text == u"the end"_s;
            }
        }
        return late;
    }
};

MORTAR_TEST_MAIN(tst_InspectionServer)
#include "tst_inspectionserver.moc"
