// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The inspection server of a real app (apps/faults with MORTAR_INSPECT=1) against clients that
// misbehave (spec §10.1): connections dropped mid-conversation, floods before the token,
// silence, too many clients, an app out of file descriptors. The app must keep running, stay
// small and keep serving a well-behaved inspector.
#include "faulttest.h"

#include <mortar/inspectionprotocol.h>

#include <QCborMap>
#include <QElapsedTimer>
#include <QLocalSocket>
#include <QScopeGuard>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;
using namespace Mortar;

namespace {

/*! One inspector connection, speaking the protocol by hand. */
struct Client
{
    QLocalSocket socket;
    InspectionProtocol::FrameDecoder decoder;

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
    /*! The next message of \a type (others are skipped), or nothing once the connection ended
        or \a timeoutMs passed. */
    std::optional<QCborMap> waitFor(const QString &type, int timeoutMs = 10'000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            while (std::optional<QCborMap> message = decoder.next()) {
                if (message->value(u"type"_s).toString() == type)
                    return message;
            }
            if (decoder.hasError() || deadline.hasExpired())
                return std::nullopt;
            if (socket.bytesAvailable() > 0) {
                decoder.feed(socket.readAll());
                continue;
            }
            if (socket.state() != QLocalSocket::ConnectedState)
                return std::nullopt;
            socket.waitForReadyRead(int(std::clamp<qint64>(deadline.remainingTime(), 1, 100)));
            decoder.feed(socket.readAll());
        }
    }
};

/*! The resident set of process \a pid, in KiB (0 if unknown). */
qint64 residentKiB(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

QString readToken(const FaultTest::Run &run)
{
    QFile file(run.tokenPath());
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll().trimmed())
                                          : QString();
}

} // namespace

class tst_InspectionAbuse : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rapidConnectDisconnect();
    void floodBeforeTokenIsBounded();
    void seventeenthClientIsRefused();
    void silentClientIsDropped();
    void outOfFileDescriptorsRecovers();
    void tokenIsNotInherited();
    void nonReadingClientsDoNotSlowTheApp();

private:
    /*! Starts apps/faults \a mode with inspection; waits for "ready". */
    bool start(FaultTest::Run &run, const QString &mode,
               const QProcessEnvironment &extra = QProcessEnvironment())
    {
        run.inspect = true;
        QString why;
        if (!run.start({mode}, &why, extra)) {
            qWarning("%s", qPrintable(why));
            return false;
        }
        return run.waitForLine("ready");
    }
    /*! A well-behaved inspector gets its hello: the server still serves. */
    bool serves(const FaultTest::Run &run)
    {
        Client client;
        if (!client.connectTo(run.socketPath()))
            return false;
        client.sendHello(readToken(run));
        return client.waitFor(u"hello"_s, 5000).has_value();
    }
    /*! serves(), tried until it does or \a timeoutMs passed (each try is a new connection, so
        not QTRY: its event processing between tries is not what is waited for). */
    bool servesWithin(const FaultTest::Run &run, int timeoutMs)
    {
        QElapsedTimer waited;
        waited.start();
        while (!serves(run)) {
            if (waited.elapsed() >= timeoutMs)
                return false;
        }
        return true;
    }
    /*! SIGTERM; the app must end normally with 143. */
    void endNormally(FaultTest::Run &run)
    {
        QVERIFY2(run.process.state() == QProcess::Running, "the app ended early");
        QVERIFY(run.sendSignal(SIGTERM));
        QVERIFY(run.finish());
        QCOMPARE(run.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.process.exitCode(), 128 + SIGTERM);
    }
};

void tst_InspectionAbuse::rapidConnectDisconnect()
{
    // hello and subscribe in one write, then gone: the server's read() subscribes, the first
    // flush fails and drops the client — while read() still loops over its frames (a
    // use-after-free that crashed an ASan build after 5-53 connections).
    FaultTest::Run run;
    QVERIFY(start(run, u"loop"_s));
    const auto explain = run.explainOnFailure();
    const QString token = readToken(run);
    QVERIFY(!token.isEmpty());
    const QByteArray frames =
            InspectionProtocol::encodeFrame({{u"type"_s, u"hello"_s}, {u"token"_s, token}})
            + InspectionProtocol::encodeFrame({{u"type"_s, u"subscribe"_s}})
            + InspectionProtocol::encodeFrame({{u"type"_s, u"subscribe"_s}});
    for (int i = 0; i < 200; ++i) {
        QLocalSocket socket;
        socket.connectToServer(run.socketPath());
        QVERIFY2(socket.waitForConnected(5000), qPrintable(socket.errorString()));
        socket.write(frames);
        socket.flush();
        socket.abort();
        QVERIFY2(run.process.state() == QProcess::Running,
                 qPrintable(u"the app died after %1 connections"_s.arg(i + 1)));
    }
    QVERIFY(serves(run));
    endNormally(run);
}

void tst_InspectionAbuse::floodBeforeTokenIsBounded()
{
    // 40 clients announce a 16 MiB frame and send 4 MiB of it without a token: each is dropped
    // after 4 KiB (beyond 16 they are refused), so the app does not grow by their data.
    FaultTest::Run run;
    QVERIFY(start(run, u"loop"_s));
    const auto explain = run.explainOnFailure();
    QTRY_VERIFY(residentKiB(run.pid) > 0);
    const qint64 before = residentKiB(run.pid);
    QByteArray flood(4 << 20, 'x');
    const quint32 announced = (16 << 20) - 1;
    for (int shift = 0; shift < 4; ++shift)
        flood[shift] = char(announced >> (24 - 8 * shift));
    std::vector<std::unique_ptr<QLocalSocket>> sockets;
    for (int i = 0; i < 40; ++i) {
        auto socket = std::make_unique<QLocalSocket>();
        socket->connectToServer(run.socketPath());
        if (socket->waitForConnected(5000))
            socket->write(flood);
        sockets.push_back(std::move(socket));
    }
    // Until every client is done: its data taken, or its connection closed.
    const auto settled = [&] {
        for (const auto &socket : sockets) {
            if (socket->state() == QLocalSocket::ConnectedState && socket->bytesToWrite() > 0)
                socket->waitForBytesWritten(5);
        }
        return std::all_of(sockets.cbegin(), sockets.cend(), [](const auto &socket) {
            return socket->state() != QLocalSocket::ConnectedState || socket->bytesToWrite() == 0;
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 30'000);
    const qint64 after = residentKiB(run.pid);
    qInfo("resident set %lld KiB before the flood, %lld KiB after (40 x 4 MiB sent)", before,
          after);
    QVERIFY2(after - before < 32 * 1024, qPrintable(u"grew by %1 KiB"_s.arg(after - before)));
    const auto open = std::count_if(sockets.cbegin(), sockets.cend(), [](const auto &socket) {
        return socket->state() == QLocalSocket::ConnectedState;
    });
    QCOMPARE(open, 0);
    sockets.clear();
    QVERIFY(serves(run));
    endNormally(run);
    QVERIFY2(run.err.contains("more than 4096 bytes before its token"), run.err.constData());
}

void tst_InspectionAbuse::seventeenthClientIsRefused()
{
    FaultTest::Run run;
    QVERIFY(start(run, u"loop"_s));
    const auto explain = run.explainOnFailure();
    const QString token = readToken(run);
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 16; ++i) {
        auto client = std::make_unique<Client>();
        QVERIFY(client->connectTo(run.socketPath()));
        client->sendHello(token);
        QVERIFY2(client->waitFor(u"hello"_s).has_value(), qPrintable(QString::number(i)));
        clients.push_back(std::move(client));
    }
    Client seventeenth;
    // Told at once, before it says anything (had it written, the closed connection could
    // make its own socket drop what it had not read yet).
    QVERIFY(seventeenth.connectTo(run.socketPath()));
    const std::optional<QCborMap> refusal = seventeenth.waitFor(u"error"_s);
    QVERIFY2(refusal.has_value(), "the 17th client got no error frame");
    QVERIFY2(refusal->value(u"message"_s).toString().contains(u"too many inspectors"_s),
             qPrintable(refusal->value(u"message"_s).toString()));
    QTRY_VERIFY(seventeenth.socket.state() != QLocalSocket::ConnectedState
                || !seventeenth.socket.waitForReadyRead(10));
    // One leaves: there is room again.
    clients.front()->socket.abort();
    clients.erase(clients.begin());
    QVERIFY(servesWithin(run, 10'000));
    clients.clear();
    endNormally(run);
}

void tst_InspectionAbuse::silentClientIsDropped()
{
    FaultTest::Run run;
    QVERIFY(start(run, u"loop"_s));
    const auto explain = run.explainOnFailure();
    QLocalSocket silent;
    silent.connectToServer(run.socketPath());
    QVERIFY(silent.waitForConnected(5000));
    QElapsedTimer connected;
    connected.start();
    QVERIFY(silent.waitForDisconnected(10'000));
    const qint64 ms = connected.elapsed();
    qInfo("a silent client was dropped after %lld ms", ms);
    QVERIFY2(ms >= 1500 && ms < 5000, qPrintable(QString::number(ms)));
    QVERIFY(serves(run));
    endNormally(run);
    QVERIFY2(run.err.contains("no valid token within 2000 ms"), run.err.constData());
}

void tst_InspectionAbuse::outOfFileDescriptorsRecovers()
{
    // Qt's QLocalServer closes itself (and removes its socket) when accept() fails with
    // EMFILE: inspection was dead for the rest of the run.
    FaultTest::Run run;
    QVERIFY(start(run, u"fd-exhaust"_s));
    const auto explain = run.explainOnFailure();
    QVERIFY(run.waitForLine("exhausted"));
    {
        // Accepted by the kernel; the app's accept() has no descriptor left for it.
        QLocalSocket victim;
        victim.connectToServer(run.socketPath());
        victim.waitForConnected(2000);
        victim.waitForDisconnected(1000);
    }
    QVERIFY(run.waitForLine("released"));
    QVERIFY(servesWithin(run, 10'000));
    endNormally(run);
    QVERIFY2(run.err.contains("stopped listening"), run.err.constData());
}

void tst_InspectionAbuse::tokenIsNotInherited()
{
    // A launching inspector hands the token over in the environment; the app's children must
    // not get it.
    FaultTest::Run run;
    QProcessEnvironment extra;
    extra.insert(u"MORTAR_INSPECT_TOKEN"_s, u"handed-over-token"_s);
    QVERIFY(start(run, u"loop"_s, extra));
    const auto explain = run.explainOnFailure();
    QVERIFY2(run.out.contains("token unset\n"), run.out.constData());
    Client client;
    QVERIFY(client.connectTo(run.socketPath()));
    client.sendHello(u"handed-over-token"_s);
    QVERIFY(client.waitFor(u"hello"_s).has_value());
    endNormally(run);
}

void tst_InspectionAbuse::nonReadingClientsDoNotSlowTheApp()
{
    // 100 000 log lines, with no inspector and with 50 that authenticate and then never read
    // (16 get in): the App's thread only records, the server's thread does the rest. A ratio,
    // not a time: the machine may be slow, the two runs are on the same one.
    qint64 tookMs[2] = {0, 0};
    qint64 helloMs = 0;
    for (const int clientCount : {0, 50}) {
        FaultTest::Run run;
        QVERIFY(start(run, u"log-burst"_s));
        auto explain = qScopeGuard([&] {
            if (QTest::currentTestFailed()) {
                run.process.kill();
                run.finish();
                qWarning("%s", qPrintable(run.describe()));
            }
        });
        const QString token = readToken(run);
        std::vector<std::unique_ptr<QLocalSocket>> stalled;
        for (int i = 0; i < clientCount; ++i) {
            auto socket = std::make_unique<QLocalSocket>();
            // Small kernel buffers are the worst case: they fill at once.
            socket->setReadBufferSize(1);
            socket->connectToServer(run.socketPath());
            if (socket->waitForConnected(5000)) {
                socket->write(InspectionProtocol::encodeFrame(
                        {{u"type"_s, u"hello"_s}, {u"token"_s, token}}));
                socket->flush();
            }
            stalled.push_back(std::move(socket));
        }
        run.process.write("go\n");
        const QDeadlineTimer deadline(120'000);
        while (!run.out.contains(" ms\n") && !deadline.hasExpired()
               && run.process.state() == QProcess::Running) {
            run.process.waitForReadyRead(100);
            run.out += run.process.readAllStandardOutput();
        }
        const qsizetype at = run.out.indexOf("took ");
        QVERIFY2(at >= 0, "it did not say how long it took");
        tookMs[clientCount ? 1 : 0] = run.out.mid(at + 5).split(' ').value(0).toLongLong();
        if (clientCount) {
            // While 16 stalled clients are connected, one leaves; a new inspector gets its hello.
            stalled.front()->abort();
            QElapsedTimer waited;
            waited.start();
            QVERIFY(servesWithin(run, 10'000));
            helloMs = waited.elapsed();
        }
        stalled.clear();
        endNormally(run);
    }
    const double ratio = double(tookMs[1]) / double(std::max<qint64>(tookMs[0], 1));
    qInfo("100 000 log lines: %lld ms without inspectors, %lld ms with 16 that do not read "
          "(ratio %.2f); a new inspector got its hello %lld ms after a place was free",
          tookMs[0], tookMs[1], ratio, helloMs);
    // Noisy on a shared machine: a bound that the 3-4x (50 clients) broke.
    QVERIFY2(ratio < 2.5, qPrintable(QString::number(ratio)));
    QVERIFY2(helloMs < 3000, qPrintable(QString::number(helloMs)));
}

QTEST_GUILESS_MAIN(tst_InspectionAbuse)
#include "tst_inspection_abuse.moc"
