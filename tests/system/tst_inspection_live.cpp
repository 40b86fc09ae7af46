// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// "Live means complete" (spec §10.1) on a real app (apps/faults with MORTAR_INSPECT=1): when the
// process is ended by force — the watchdog, a second signal — every connected, authenticated
// inspector gets the same final process.killed record the trace file ends with, as a frame its
// decoder reads like any other, after every event recorded before it.
#include "faulttest.h"

#include <mortar/inspectionprotocol.h>

#include <QCborMap>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTest>

#include <sys/resource.h>

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

/*! Where an apps/livestream child runs inspected: a private runtime directory (0700), its
    token handed over in the environment as --launch does, its trace file. */
struct Inspected
{
    QTemporaryDir dir;
    QString runtime;
    QString tracePath;
    QString token = InspectionProtocol::newToken();
    QProcessEnvironment environment = SystemTest::childEnvironment();

    bool prepare()
    {
        runtime = dir.filePath(u"runtime"_s);
        tracePath = dir.filePath(u"trace.jsonl"_s);
        if (!dir.isValid() || !QDir().mkpath(runtime)
            || !QFile::setPermissions(runtime,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
            return false;
        environment.insert(u"XDG_RUNTIME_DIR"_s, runtime);
        environment.insert(u"XDG_STATE_HOME"_s, dir.filePath(u"state"_s));
        environment.insert(u"MORTAR_INSPECT"_s, u"1"_s);
        environment.insert(u"MORTAR_INSPECT_TOKEN"_s, token);
        environment.insert(u"MORTAR_TRACE"_s, tracePath);
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

    void forcedEndWhileStreamingCorruptsNoFrame()
    {
        // apps/livestream logs without pause, so the server is streaming when the watchdog
        // ends the process: the record must come between frames, after everything sent, and
        // last. Three runs, each a new chance to land mid-frame; the last one long enough that
        // the stalled client has more queued than its socket takes.
        for (int round = 0; round < 3; ++round) {
            const int budgetMs = round < 2 ? 500 : 1500;
            Inspected inspected;
            QVERIFY(inspected.prepare());
            const QString &runtime = inspected.runtime;
            const QString &tracePath = inspected.tracePath;
            const QString &token = inspected.token;
            QProcess app;
            app.setProcessEnvironment(inspected.environment);
            app.setStandardErrorFile(QProcess::nullDevice()); // its log lines
            app.start(QStringLiteral(LIVESTREAM_PATH), {QString::number(budgetMs)});
            QVERIFY(app.waitForStarted());
            QByteArray out;
            while (!out.contains("ready\n")) {
                QVERIFY(app.state() == QProcess::Running && app.waitForReadyRead(10'000));
                out += app.readAllStandardOutput();
            }
            const QString socketPath =
                    u"%1/mortar/livestream-%2"_s.arg(runtime).arg(app.processId());

            std::vector<std::unique_ptr<Client>> readers;
            for (int i = 0; i < 3; ++i) {
                auto client = std::make_unique<Client>();
                QVERIFY(client->connectTo(socketPath));
                client->sendHello(token);
                QVERIFY(client->waitFor(u"live"_s));
                Client *raw = client.get();
                connect(&raw->socket, &QLocalSocket::readyRead, this, [raw] { raw->take(); });
                readers.push_back(std::move(client));
            }
            // One that subscribes and then reads nothing: its socket fills up, the server has
            // bytes queued for it when the end comes. It must not hold the end up.
            Client stalled;
            stalled.socket.setReadBufferSize(4096); // Qt must not read for it either
            QVERIFY(stalled.connectTo(socketPath));
            stalled.sendHello(token);

            QSignalSpy finished(&app, &QProcess::finished);
            QElapsedTimer sinceSignal;
            sinceSignal.start();
            QVERIFY(::kill(pid_t(app.processId()), SIGTERM) == 0);
            QVERIFY(finished.wait(20'000));
            const qint64 endedAfterMs = sinceSignal.elapsed();
            QCOMPARE(app.exitStatus(), QProcess::NormalExit);
            QCOMPARE(app.exitCode(), 124);
            QVERIFY2(endedAfterMs < budgetMs + 2000, QByteArray::number(endedAfterMs).constData());

            const QJsonObject fileLast = lastLine(tracePath);
            QCOMPARE(fileLast.value(u"kind"_s).toString(), u"process.killed"_s);
            qint64 sent = 0;
            qint64 gap = 0;
            for (const auto &client : readers) {
                QVERIFY(client->readToEnd());
                QVERIFY2(!client->decoder.hasError(), qPrintable(client->decoder.errorString()));
                QCOMPARE(client->decoder.pendingBytes(), 0);
                QVERIFY(!client->events.isEmpty());
                const TraceEvent &last = client->events.last();
                QCOMPARE(last.kind, u"process.killed"_s);
                QCOMPARE(last.code, 124);
                QCOMPARE(last.handler, u"hangs"_s);
                QCOMPARE(last.seq, fileLast.value(u"seq"_s).toInteger());
                // Everything up to the moment the end began, none missed; then the record
                // (what the logging thread recorded meanwhile is in neither).
                const qsizetype n = client->events.size();
                for (qsizetype i = 1; i < n - 1; ++i)
                    QCOMPARE(client->events.at(i).seq, client->events.at(i - 1).seq + 1);
                QVERIFY(n < 2 || last.seq > client->events.at(n - 2).seq);
                gap = n < 2 ? 0 : last.seq - client->events.at(n - 2).seq - 1;
                sent = client->bytes;
            }
            // The stalled one got a prefix of the stream, whole frames and at most one cut off
            // by the end: never a frame with other bytes inside.
            stalled.readToEnd();
            QVERIFY2(!stalled.decoder.hasError(), qPrintable(stalled.decoder.errorString()));
            qInfo("round %d: ended %lld ms after SIGTERM; %lld events, %lld bytes to each reader, "
                  "%lld recorded during the end not sent; the stalled one got %lld bytes, %s",
                  round, endedAfterMs, qint64(readers.front()->events.size()), sent, gap,
                  qint64(stalled.bytes),
                  !stalled.events.isEmpty() && stalled.events.last().kind == u"process.killed"_s
                          ? "the record too"
                          : "not the record (skipped: it had bytes queued)");
        }
    }

    void crashReachesEveryInspector()
    {
#ifdef MORTAR_ASAN
        QSKIP("built with AddressSanitizer, which handles crash signals itself");
#endif
        // A thread writes through a null pointer: the crash handler tells the inspector
        // (process.crashed, the signal) before the process dies of it.
        Inspected inspected;
        QVERIFY(inspected.prepare());
        const QString &runtime = inspected.runtime;
        const QString &tracePath = inspected.tracePath;
        const QString &token = inspected.token;
        QProcess app;
        app.setProcessEnvironment(inspected.environment);
        app.setChildProcessModifier([] {
            const rlimit none{0, 0};
            ::setrlimit(RLIMIT_CORE, &none); // no core file to write
        });
        app.start(QStringLiteral(LIVESTREAM_PATH), {u"crash"_s});
        QVERIFY(app.waitForStarted());
        QByteArray out;
        while (!out.contains("ready\n")) {
            QVERIFY(app.state() == QProcess::Running && app.waitForReadyRead(10'000));
            out += app.readAllStandardOutput();
        }
        Client client;
        QVERIFY(client.connectTo(u"%1/mortar/livestream-%2"_s.arg(runtime).arg(app.processId())));
        client.sendHello(token);
        QVERIFY(client.waitFor(u"live"_s));

        app.write("crash\n");
        QVERIFY(app.waitForFinished(20'000));
        QCOMPARE(app.exitStatus(), QProcess::CrashExit);
        QVERIFY(client.readToEnd());
        QVERIFY2(!client.decoder.hasError(), qPrintable(client.decoder.errorString()));
        QCOMPARE(client.decoder.pendingBytes(), 0);
        QVERIFY(!client.events.isEmpty());
        const TraceEvent &last = client.events.last();
        QCOMPARE(last.kind, u"process.crashed"_s);
        QCOMPARE(last.extra.value(u"cause"_s).toString(), u"crash"_s);
        QCOMPARE(last.extra.value(u"signal"_s).toString(), u"SIGSEGV"_s);
        QVERIFY(!last.code); // it dies of the signal: no exit code
        const QJsonObject fileLast = lastLine(tracePath);
        QCOMPARE(fileLast.value(u"kind"_s).toString(), u"process.crashed"_s);
        QCOMPARE(last.seq, fileLast.value(u"seq"_s).toInteger());
        for (qsizetype i = 1; i < client.events.size(); ++i)
            QCOMPARE(client.events.at(i).seq, client.events.at(i - 1).seq + 1);
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
