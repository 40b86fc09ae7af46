// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// "Live means complete" (spec §10.1) on a real app (apps/faults with MORTAR_INSPECT=1): when the
// process is ended by force — the watchdog, a second signal — every connected, authenticated
// inspector gets the same final process.killed record the trace file ends with, as a frame its
// decoder reads like any other, after every event recorded before it.
#include "faulttest.h"

#include <mortar/inspectionprotocol.h>

#include <QCborMap>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Mortar;

namespace {

/*! One inspector connection, with the inspector's own decoder. */
struct Client
{
    QLocalSocket socket;
    InspectionProtocol::FrameDecoder decoder;
    QList<TraceEvent> events;
    QStringList types; // of every message, in order
    qsizetype bytes = 0;

    bool connectTo(const QString &path)
    {
        socket.connectToServer(path);
        return socket.waitForConnected(5000);
    }
    void sendHello(const QString &token)
    {
        socket.write(
                InspectionProtocol::encodeFrame({{u"type"_s, u"hello"_s}, {u"token"_s, token}}));
        socket.flush();
    }
    void take()
    {
        const QByteArray data = socket.readAll();
        bytes += data.size();
        decoder.feed(data);
        while (std::optional<InspectionProtocol::Message> message = decoder.nextMessage()) {
            types << message->type();
            events << message->events;
        }
    }
    /*! Reads until a message of \a type arrived (true), or the connection ended. */
    bool waitFor(const QString &type, int timeoutMs = 10'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (!types.contains(type)) {
            if (decoder.hasError() || deadline.hasExpired()
                || (socket.state() != QLocalSocket::ConnectedState && !socket.bytesAvailable()))
                return false;
            socket.waitForReadyRead(int(std::clamp<qint64>(deadline.remainingTime(), 1, 100)));
            take();
        }
        return true;
    }
    /*! Reads everything until the app closes the connection (its process ended). */
    bool readToEnd(int timeoutMs = 30'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (socket.state() == QLocalSocket::ConnectedState) {
            if (deadline.hasExpired())
                return false;
            socket.waitForReadyRead(100);
            take();
        }
        take();
        return true;
    }
};

QString readToken(const FaultTest::Run &run)
{
    QFile file(run.tokenPath());
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll().trimmed())
                                          : QString();
}

/*! The trace file's last line, as JSON. */
QJsonObject lastLine(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object();
}

} // namespace

class tst_InspectionLive : public QObject
{
    Q_OBJECT

private:
    /*! apps/faults hang-on-close with inspection, and \a count authenticated clients that got
        the backlog ("live"), plus one connected client that never authenticates. */
    bool startWithClients(FaultTest::Run &run, const QStringList &arguments, int count,
                          std::vector<std::unique_ptr<Client>> &clients,
                          std::unique_ptr<Client> &stranger)
    {
        run.inspect = true;
        QString why;
        if (!run.start(arguments, &why) || !run.waitForLine("ready")) {
            qWarning("%s", qPrintable(why));
            return false;
        }
        const QString token = readToken(run);
        for (int i = 0; i < count; ++i) {
            auto client = std::make_unique<Client>();
            if (!client->connectTo(run.socketPath()))
                return false;
            client->sendHello(token);
            if (!client->waitFor(u"live"_s))
                return false;
            clients.push_back(std::move(client));
        }
        stranger = std::make_unique<Client>();
        return stranger->connectTo(run.socketPath());
    }

    /*! What every client got ends with \a kind, the trace file's own last record, after all
        the events before it. */
    void checkFinalRecord(FaultTest::Run &run, std::vector<std::unique_ptr<Client>> &clients,
                          Client &stranger)
    {
        const QJsonObject fileLast = lastLine(run.tracePath);
        QVERIFY2(fileLast.value(u"kind"_s).toString().startsWith(u"process."_s),
                 QJsonDocument(fileLast).toJson().constData());
        for (const auto &client : clients) {
            QVERIFY(client->readToEnd());
            QVERIFY2(!client->decoder.hasError(), qPrintable(client->decoder.errorString()));
            QCOMPARE(client->decoder.pendingBytes(), 0); // no frame cut off
            QVERIFY(!client->events.isEmpty());
            const TraceEvent &last = client->events.last();
            const QJsonObject json = last.toJson();
            // The same record as the file's (its t is read a moment apart).
            for (const QString &key : fileLast.keys()) {
                if (key != u"t"_s)
                    QCOMPARE(json.value(key), fileLast.value(key));
            }
            QCOMPARE(json.keys(), fileLast.keys());
            QVERIFY(std::abs(last.t - fileLast.value(u"t"_s).toInteger()) < 1'000'000'000);
            // Every event before it, none missed: seq counts up without a gap.
            for (qsizetype i = 1; i < client->events.size(); ++i)
                QCOMPARE(client->events.at(i).seq, client->events.at(i - 1).seq + 1);
            QVERIFY(!client->types.contains(u"missed"_s));
            // The handler it names began before, streamed live (a long name is cut in the
            // record, as in the file).
            const QString named =
                    last.handler.endsWith(u"..."_s) ? last.handler.chopped(3) : last.handler;
            const auto begun = std::find_if(
                    client->events.cbegin(), client->events.cend(), [&](const TraceEvent &e) {
                        return e.kind == u"handler.begin"_s && e.hook == last.hook
                                && e.handler.startsWith(named);
                    });
            QVERIFY(begun != client->events.cend());
        }
        // Who never authenticated gets nothing, not even the end.
        QVERIFY(stranger.readToEnd());
        QCOMPARE(stranger.bytes, 0);
    }

private Q_SLOTS:
    void watchdogKillReachesEveryInspector()
    {
        FaultTest::Run run;
        auto explain = run.explainOnFailure();
        std::vector<std::unique_ptr<Client>> clients;
        std::unique_ptr<Client> stranger;
        QVERIFY(startWithClients(run, {u"hang-on-close"_s, u"500"_s}, 2, clients, stranger));

        QVERIFY(run.sendSignal(SIGTERM));
        QVERIFY(run.waitForLine("hanging"));
        QVERIFY(run.finish());
        QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process.exitCode(), 124);
        checkFinalRecord(run, clients, *stranger);
        if (QTest::currentTestFailed())
            return;
        const TraceEvent &last = clients.front()->events.last();
        QCOMPARE(last.kind, u"process.killed"_s);
        QCOMPARE(last.extra.value(u"cause"_s).toString(), u"watchdog"_s);
        QCOMPARE(last.code, 124);
        QCOMPARE(last.hook, u"pre_close"_s);
        QCOMPARE(last.handler, u"hangs forever"_s);
        QCOMPARE(last.extra.value(u"budgetMs"_s).toInteger(), 500);
        QVERIFY(last.extra.value(u"runningNs"_s).toInteger() >= 400'000'000);
    }

    void secondSignalReachesEveryInspector()
    {
        FaultTest::Run run;
        auto explain = run.explainOnFailure();
        std::vector<std::unique_ptr<Client>> clients;
        std::unique_ptr<Client> stranger;
        QVERIFY(startWithClients(run, {u"hang-on-close"_s, u"max"_s}, 1, clients, stranger));

        QVERIFY(run.sendSignal(SIGTERM));
        QVERIFY(run.waitForLine("hanging"));
        // The first signal's close is under way (its events streamed): the second ends it.
        QVERIFY(clients.front()->waitFor(u"events"_s));
        QVERIFY(run.sendSignal(SIGTERM));
        QVERIFY(run.finish());
        QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process.exitCode(), 128 + SIGTERM);
        checkFinalRecord(run, clients, *stranger);
        if (QTest::currentTestFailed())
            return;
        const TraceEvent &last = clients.front()->events.last();
        QCOMPARE(last.kind, u"process.killed"_s);
        QCOMPARE(last.extra.value(u"cause"_s).toString(), u"signal"_s);
        QCOMPARE(last.extra.value(u"signal"_s).toString(), u"SIGTERM"_s);
        QCOMPARE(last.code, 128 + SIGTERM);
        QCOMPARE(last.handler, u"hangs forever"_s);
    }

    void inspectorThatConnectsDuringTheHangGetsTheKill()
    {
        // What an inspector attached to a stuck close sees: the backlog, then the kill.
        FaultTest::Run run;
        auto explain = run.explainOnFailure();
        std::vector<std::unique_ptr<Client>> none;
        std::unique_ptr<Client> stranger;
        QVERIFY(startWithClients(run, {u"hang-on-close"_s, u"1500"_s}, 0, none, stranger));
        QVERIFY(run.sendSignal(SIGTERM));
        QVERIFY(run.waitForLine("hanging"));
        auto late = std::make_unique<Client>();
        QVERIFY(late->connectTo(run.socketPath()));
        late->sendHello(readToken(run));
        QVERIFY(late->waitFor(u"live"_s));
        std::vector<std::unique_ptr<Client>> clients;
        clients.push_back(std::move(late));
        QVERIFY(run.finish());
        QCOMPARE(run.process.exitCode(), 124);
        checkFinalRecord(run, clients, *stranger);
    }

    void hostileHandlerNameArrivesWhole()
    {
        // 2000 characters of quotes, backslashes, control characters and 4-byte UTF-8: cut as
        // the file cuts it, and still one valid frame.
        FaultTest::Run run;
        auto explain = run.explainOnFailure();
        std::vector<std::unique_ptr<Client>> clients;
        std::unique_ptr<Client> stranger;
        QVERIFY(startWithClients(run, {u"hang-long-name"_s, u"1500"_s}, 1, clients, stranger));
        QVERIFY(run.finish());
        QCOMPARE(run.process.exitCode(), 124);
        checkFinalRecord(run, clients, *stranger);
    }
};

QTEST_GUILESS_MAIN(tst_InspectionLive)
#include "tst_inspection_live.moc"
