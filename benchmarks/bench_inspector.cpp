// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// SPEC §11: the inspector's side of inspection.
//
// - Ingest: 1 000 000 trace events, as the inspection server frames them, read by the
//   inspector's InspectorClient from a real local socket into its models (EventTableModel,
//   HookTreeModel, as MainWindow::appendLive feeds them): time and peak memory against absolute
//   targets, and where the time goes (decoding, each model) measured apart.
// - Close: app.close() of an App with many pre_close handlers with a subscribed inspector (in
//   its own thread, reading as the real one does), and with one that never reads, against the
//   same close without any inspector.
#include "benchreport.h"

#include <eventtablemodel.h>
#include <hooktreemodel.h>
#include <inspectorclient.h>

#include <mortar/app.h>
#include <mortar/inspectionprotocol.h>

#include <QCborArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSemaphore>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cerrno>
#include <memory>
#include <thread>
#include <vector>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

using namespace Qt::StringLiterals;
using Mortar::TraceEvent;
using Mortar::Inspector::EventTableModel;
using Mortar::Inspector::HookTreeModel;
using Mortar::Inspector::InspectorClient;
namespace Protocol = Mortar::InspectionProtocol;

namespace MortarBench {

// --- Ingest ----------------------------------------------------------------------------------

constexpr qsizetype IngestEvents = 1'000'000;
constexpr qint64 IngestHandlers = 100'000;
constexpr int EventsPerFrame = 2000; // as InspectionServer batches them
constexpr double IngestTargetMs = 2000;
constexpr double IngestTargetMB = 300;

/*! The stream an inspection server sends for a 1 000 000-event trace, and the events. */
struct IngestWorkload
{
    QList<QByteArray> frames; // hello, the events in frames of EventsPerFrame, live
    QList<QList<TraceEvent>> batches;
    qint64 bytes = 0;
    QString error;
};

/*!
    The events are a real App's: traced runs of pre_close with IngestHandlers handlers (registered
    in a loop, so with the default name every one of them gets; SPEC §11's hook workload), until
    the trace holds its capacity of 1 000 000 events. Framed with the protocol's own functions,
    as InspectionServer::sendEvents() does. Built once, untimed.
*/
const IngestWorkload &ingestWorkload()
{
    static const IngestWorkload workload = [] {
        IngestWorkload w;
        QList<TraceEvent> events;
        {
            Mortar::App app({.label = u"bench-ingest"_s, .arguments = {u"bench"_s}});
            app.trace().setCapacity(2 * IngestEvents); // nothing trimmed
            for (qint64 i = 0; i < IngestHandlers; ++i)
                app.hooks().add(u"pre_close"_s, [] {});
            while (app.trace().size() < IngestEvents)
                app.hooks().run(u"pre_close"_s);
            events = app.trace().events().first(IngestEvents);
        }
        if (events.size() != IngestEvents) {
            w.error = u"the App's trace did not hold 1 000 000 events"_s;
            return w;
        }
        const auto frame = [&w](const QCborMap &message) {
            const QByteArray bytes = Protocol::encodeFrame(message);
            if (bytes.isEmpty())
                w.error = u"a frame is larger than the protocol allows"_s;
            w.frames.append(bytes);
            w.bytes += bytes.size();
        };
        frame({{u"type"_s, u"hello"_s},
               {u"protocol"_s, Protocol::Version},
               {u"label"_s, u"bench-ingest"_s},
               {u"pid"_s, QCoreApplication::applicationPid()},
               {u"state"_s, u"Running"_s},
               {u"exitCode"_s, 0}});
        for (qsizetype first = 0; first < events.size(); first += EventsPerFrame) {
            const QList<TraceEvent> batch = events.mid(first, EventsPerFrame);
            QCborArray array;
            for (const TraceEvent &event : batch)
                array.append(Protocol::eventToCbor(event));
            frame({{u"type"_s, u"events"_s}, {u"events"_s, array}});
            w.batches.append(batch);
        }
        frame({{u"type"_s, u"live"_s}});
        return w;
    }();
    return workload;
}

/*!
    The app's end of the socket, in a thread of its own so that the benchmark's thread is the
    inspector's: accepts one client, checks its hello frame, writes the frames (blocking, as
    fast as the client reads), and keeps the connection until the client closes it.
*/
class FrameServer final
{
public:
    FrameServer(const QString &path, const QString &token, const QList<QByteArray> &frames)
        : m_path(QFile::encodeName(path)),
          m_token(token),
          m_frames(frames)
    {
    }
    ~FrameServer() { stop(); }

    bool listen()
    {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (size_t(m_path.size()) >= sizeof address.sun_path)
            return false;
        std::memcpy(address.sun_path, m_path.constData(), size_t(m_path.size()));
        ::unlink(m_path.constData());
        m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_listener < 0
            || ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
            || ::listen(m_listener, 1) != 0)
            return false;
        m_thread = std::thread([this] { serve(); });
        return true;
    }

    void stop()
    {
        if (m_thread.joinable())
            m_thread.join();
        if (m_listener >= 0)
            ::close(m_listener);
        m_listener = -1;
        ::unlink(m_path.constData());
    }

    bool failed() const { return m_failed; }

private:
    void serve()
    {
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            m_failed = true;
            return;
        }
        Protocol::FrameDecoder decoder;
        std::optional<QCborMap> hello;
        char buffer[4096];
        while (!hello) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n <= 0)
                break;
            decoder.feed(QByteArray(buffer, n));
            hello = decoder.next();
        }
        if (!hello || hello->value(u"token"_s).toString() != m_token) {
            m_failed = true;
            ::close(fd);
            return;
        }
        for (const QByteArray &frame : m_frames) {
            qsizetype written = 0;
            while (written < frame.size()) {
                const ssize_t n =
                        ::write(fd, frame.constData() + written, size_t(frame.size() - written));
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0) {
                    m_failed = true;
                    ::close(fd);
                    return;
                }
                written += n;
            }
        }
        while (::read(fd, buffer, sizeof buffer) > 0) { } // until the client hangs up
        ::close(fd);
    }

    QByteArray m_path;
    QString m_token;
    const QList<QByteArray> &m_frames;
    int m_listener = -1;
    std::thread m_thread;
    std::atomic<bool> m_failed{false};
};

/*! malloc's bytes in use: small chunks and mmapped large blocks (a model's list of events). */
size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

/*! The whole path: socket → InspectorClient → EventTableModel and HookTreeModel. */
void BM_InspectorIngest(benchmark::State &state)
{
    const IngestWorkload &workload = ingestWorkload();
    if (!workload.error.isEmpty()) {
        state.SkipWithError(qPrintable(workload.error));
        return;
    }
    const QString path = QDir::temp().filePath(
            u"mortar-bench-ingest-%1"_s.arg(QCoreApplication::applicationPid()));
    const QString token = u"bench-token"_s;
    double peakMB = 0;
    double retainedMB = 0;
    double heapMB = 0; // malloc's bytes in use: what the models hold
    bool peakReset = true;
    for (auto _ : state) {
        state.PauseTiming();
        FrameServer server(path, token, workload.frames);
        if (!server.listen()) {
            state.SkipWithError("unable to listen on a local socket");
            break;
        }
        auto client = std::make_unique<InspectorClient>();
        auto eventModel = std::make_unique<EventTableModel>();
        auto hookModel = std::make_unique<HookTreeModel>();
        QEventLoop loop;
        QString ended;
        QObject::connect(client.get(), &InspectorClient::eventsReceived, &loop,
                         [&](const QList<TraceEvent> &events) {
                             eventModel->appendEvents(events); // as MainWindow::appendLive
                             hookModel->appendEvents(events);
                             if (eventModel->rowCount() >= IngestEvents)
                                 loop.quit();
                         });
        QObject::connect(client.get(), &InspectorClient::disconnected, &loop,
                         [&](const QString &reason) {
                             ended = reason.isEmpty() ? u"the connection ended"_s : reason;
                             loop.quit();
                         });
        peakReset = resetPeakRss() && peakReset;
        const long long baseKiB = procStatusKiB("VmRSS");
        const size_t baseHeap = heapInUse();
        state.ResumeTiming();

        client->connectTo(path, token);
        loop.exec();

        state.PauseTiming();
        const long long peakKiB = procStatusKiB("VmHWM");
        peakMB = std::max(peakMB, double(peakKiB - baseKiB) / 1024);
        retainedMB = std::max(retainedMB, double(procStatusKiB("VmRSS") - baseKiB) / 1024);
        heapMB = std::max(heapMB, double(heapInUse() - baseHeap) / (1024 * 1024));
        const bool complete = eventModel->rowCount() == IngestEvents
                && eventModel->event(IngestEvents - 1).seq == workload.batches.last().last().seq;
        client.reset(); // hangs up: the server's thread ends
        server.stop();
        hookModel.reset();
        eventModel.reset();
        state.ResumeTiming();
        if (!complete || server.failed()) {
            state.SkipWithError(
                    qPrintable(u"the models did not get every event (%1)"_s.arg(ended)));
            break;
        }
    }
    state.counters["peak_MB"] = peakMB;
    state.counters["retained_MB"] = retainedMB;
    state.counters["heap_MB"] = heapMB;
    state.counters["peak_resettable"] = peakReset ? 1 : 0;
    state.counters["wire_MB"] = double(workload.bytes) / (1024 * 1024);
}

/*! Apart: the client's decoding alone — FrameDecoder::nextMessage() on every frame, as
    InspectorClient::read() does, from bytes already in memory (no socket, no model). */
void BM_InspectorIngestDecodeOnly(benchmark::State &state)
{
    const IngestWorkload &workload = ingestWorkload();
    if (!workload.error.isEmpty()) {
        state.SkipWithError(qPrintable(workload.error));
        return;
    }
    for (auto _ : state) {
        Protocol::FrameDecoder decoder;
        qsizetype decoded = 0;
        QList<QList<TraceEvent>> kept; // freed untimed, as the models keep them
        for (const QByteArray &frame : workload.frames) {
            decoder.feed(frame);
            while (std::optional<Protocol::Message> message = decoder.nextMessage()) {
                decoded += message->events.size();
                kept.append(std::move(message->events));
            }
        }
        state.PauseTiming();
        kept.clear();
        state.ResumeTiming();
        if (decoded != IngestEvents) {
            state.SkipWithError("the decoder did not give every event");
            break;
        }
    }
}

/*! Apart: EventTableModel::appendEvents() of the decoded batches. */
void BM_InspectorIngestEventModelOnly(benchmark::State &state)
{
    const IngestWorkload &workload = ingestWorkload();
    if (!workload.error.isEmpty()) {
        state.SkipWithError(qPrintable(workload.error));
        return;
    }
    for (auto _ : state) {
        EventTableModel model;
        for (const QList<TraceEvent> &batch : workload.batches)
            model.appendEvents(batch);
        if (model.rowCount() != IngestEvents) {
            state.SkipWithError("the event model did not get every event");
            break;
        }
    }
}

/*! Apart: HookTreeModel::appendEvents() of the decoded batches. */
void BM_InspectorIngestHookModelOnly(benchmark::State &state)
{
    const IngestWorkload &workload = ingestWorkload();
    if (!workload.error.isEmpty()) {
        state.SkipWithError(qPrintable(workload.error));
        return;
    }
    for (auto _ : state) {
        HookTreeModel model;
        for (const QList<TraceEvent> &batch : workload.batches)
            model.appendEvents(batch);
        benchmark::DoNotOptimize(model.rowCount());
    }
}

// --- Close with an inspector attached --------------------------------------------------------

constexpr qint64 CloseHandlers = 10'000;
constexpr double CloseTargetRatio = 1.5;

enum class Inspector { None, Reading, NotReading };

/*! An App as an application has it before its close: set up, CloseHandlers pre_close handlers. */
std::unique_ptr<Mortar::App> makeClosingApp(bool inspect, quint64 *hits)
{
    auto app = std::make_unique<Mortar::App>(Mortar::AppOptions{
            .label = u"bench-close"_s, .arguments = {u"bench"_s}, .inspect = inspect});
    if (!app->setup())
        return nullptr;
    for (qint64 i = 0; i < CloseHandlers; ++i)
        app->hooks().add(u"pre_close"_s, [hits] { ++*hits; });
    return app;
}

/*! A real inspector in a thread of its own: InspectorClient feeding the models, as
    mortar-inspector does, over a real local socket. Started before the App's setup() and told
    where to connect after it: a real inspector is another process, and a thread that appeared
    after setup() is one the leak census (SPEC §16) waits 50 ms for at the close. */
class InspectorThread final : public QThread
{
public:
    /*! Connects to \a path with \a token; an empty path ends the thread instead. */
    void connectTo(const QString &path, const QString &token)
    {
        m_path = path;
        m_token = token;
        m_ready.release();
    }

    std::atomic<bool> greeted{false}; // hello received: the server subscribed it
    std::atomic<bool> sawCloseEnd{false};
    std::atomic<int> snapshots{0};
    std::atomic<qint64> events{0};
    std::atomic<qint64> missed{0};

protected:
    void run() override
    {
        m_ready.acquire(); // m_path and m_token are set
        if (m_path.isEmpty())
            return;
        InspectorClient client;
        EventTableModel eventModel;
        HookTreeModel hookModel;
        QObject::connect(&client, &InspectorClient::helloReceived, &client,
                         [this] { greeted = true; });
        QObject::connect(&client, &InspectorClient::snapshotReceived, &hookModel,
                         [&](const QCborMap &snapshot) {
                             hookModel.setSnapshot(snapshot);
                             ++snapshots;
                         });
        QObject::connect(&client, &InspectorClient::eventsReceived, &client,
                         [&](const QList<TraceEvent> &batch) {
                             eventModel.appendEvents(batch);
                             hookModel.appendEvents(batch);
                             events += batch.size();
                             if (batch.last().kind == u"close.end"_s)
                                 sawCloseEnd = true;
                         });
        QObject::connect(&client, &InspectorClient::missed, &client,
                         [this](qint64 count) { missed += count; });
        QObject::connect(&client, &InspectorClient::disconnected, &client, [this] { quit(); });
        client.connectTo(m_path, m_token);
        exec();
    }

private:
    QSemaphore m_ready;
    QString m_path;
    QString m_token;
};

/*! A client that says hello with the token and then never reads: a raw socket, so that not
    even Qt's socket buffer takes what the server sends. */
class SilentClient final
{
public:
    ~SilentClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool connectTo(const QString &path, const QString &token)
    {
        const QByteArray native = QFile::encodeName(path);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (size_t(native.size()) >= sizeof address.sun_path)
            return false;
        std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0
            || ::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            return false;
        const QByteArray hello =
                Protocol::encodeFrame({{u"type"_s, u"hello"_s}, {u"token"_s, token}});
        return ::write(m_fd, hello.constData(), size_t(hello.size())) == hello.size();
    }

    /*! Whether the server has answered (without reading it). */
    bool answered() const
    {
        pollfd p{m_fd, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0;
    }

private:
    int m_fd = -1;
};

/*! Runs the App's thread's event loop until \a done, for at most 10 s. */
template <typename Done>
bool pumpUntil(Done done)
{
    const QDeadlineTimer deadline(10'000);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::yieldCurrentThread();
    }
    return true;
}

void closeWith(benchmark::State &state, Inspector inspector)
{
    quint64 hits = 0;
    qint64 received = 0;
    qint64 expected = 0;
    qint64 missed = 0;
    qint64 snapshots = 0;
    double inAppMs = 0; // the close as the App's trace times it (close.end): before its flush
    for (auto _ : state) {
        state.PauseTiming();
        std::unique_ptr<InspectorThread> reader;
        if (inspector == Inspector::Reading) {
            reader = std::make_unique<InspectorThread>();
            reader->start();
        }
        std::unique_ptr<Mortar::App> app = makeClosingApp(inspector != Inspector::None, &hits);
        if (!app) {
            if (reader) {
                reader->connectTo({}, {});
                reader->wait();
            }
            state.SkipWithError("setup() failed");
            break;
        }
        const QString socketPath =
                QDir(QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation))
                        .filePath(u"mortar/%1-%2"_s.arg(app->label())
                                          .arg(QCoreApplication::applicationPid()));
        const QString token = InspectorClient::readToken(socketPath);
        SilentClient silent;
        bool attached = true;
        if (inspector == Inspector::Reading) {
            reader->connectTo(socketPath, token);
            attached = pumpUntil([&] { return reader->greeted.load(); });
        } else if (inspector == Inspector::NotReading) {
            attached = silent.connectTo(socketPath, token)
                    && pumpUntil([&] { return silent.answered(); });
        }
        if (!attached) {
            state.SkipWithError("the inspector could not attach");
            break;
        }
        const quint64 hitsBefore = hits;
        state.ResumeTiming();

        app->close();

        state.PauseTiming();
        bool ok = app->state() == Mortar::App::State::Closed
                && hits == hitsBefore + quint64(CloseHandlers);
        for (const TraceEvent &event : app->trace().events()) {
            if (event.kind == u"close.end"_s && event.durationNs)
                inAppMs += double(*event.durationNs) / 1e6;
        }
        if (reader) {
            // Everything the App recorded reaches the inspector, eventually.
            ok = pumpUntil([&] { return reader->sawCloseEnd.load(); }) && ok;
            expected += app->trace().size();
            received += reader->events;
            missed += reader->missed;
            snapshots += reader->snapshots;
            reader->quit();
            reader->wait();
            reader.reset();
        }
        app.reset();
        hits = hitsBefore + quint64(CloseHandlers);
        state.ResumeTiming();
        if (!ok) {
            state.SkipWithError("the close did not end as expected (or the inspector did not "
                                "get its end)");
            break;
        }
    }
    state.counters["close_end_ms"] = inAppMs / double(state.iterations());
    if (inspector == Inspector::Reading) {
        state.counters["snapshots"] = double(snapshots) / double(state.iterations());
        state.counters["events_received"] = double(received) / double(state.iterations());
        state.counters["events_recorded"] = double(expected) / double(state.iterations());
        state.counters["missed"] = double(missed) / double(state.iterations());
    }
}

void BM_CloseWithoutInspector(benchmark::State &state)
{
    closeWith(state, Inspector::None);
}

void BM_CloseWithInspector(benchmark::State &state)
{
    closeWith(state, Inspector::Reading);
}

void BM_CloseWithSilentInspector(benchmark::State &state)
{
    closeWith(state, Inspector::NotReading);
}

// The reference first, then what is compared to it, back to back.
BENCHMARK(BM_CloseWithoutInspector)->Unit(benchmark::kMillisecond)->Iterations(20)->UseRealTime();
BENCHMARK(BM_CloseWithInspector)->Unit(benchmark::kMillisecond)->Iterations(20)->UseRealTime();
BENCHMARK(BM_CloseWithSilentInspector)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();
BENCHMARK(BM_InspectorIngest)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_InspectorIngestDecodeOnly)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(2)
        ->UseRealTime();
BENCHMARK(BM_InspectorIngestEventModelOnly)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3)
        ->UseRealTime();
BENCHMARK(BM_InspectorIngestHookModelOnly)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3)
        ->UseRealTime();

bool printTable(const MeasuringReporter &reporter)
{
    bool ok = true;
    const auto missing = [&](const char *what, const char *name) {
        std::printf("%-44s %s\n", what, reporter.describeMissing(name).c_str());
        ok = ok && !reporter.failed(name);
    };

    std::printf("\nClose with an inspector attached, %lld pre_close handlers (SPEC §11)\n",
                static_cast<long long>(CloseHandlers));
    std::printf("%-44s %11s %7s %7s  %s\n", "what", "ms", "ratio", "target", "result");
    const double reference = reporter.ms("BM_CloseWithoutInspector");
    if (reference < 0)
        missing("app.close(), no inspector (reference)", "BM_CloseWithoutInspector");
    else
        std::printf("%-44s %11.3f %7s %7s\n", "app.close(), no inspector (reference)", reference,
                    "1.00", "");
    const struct
    {
        const char *name;
        const char *what;
    } closeRows[] = {{"BM_CloseWithInspector", "app.close(), inspector reading"},
                     {"BM_CloseWithSilentInspector", "app.close(), inspector not reading"}};
    for (const auto &row : closeRows) {
        const double ms = reporter.ms(row.name);
        if (ms < 0) {
            missing(row.what, row.name);
            continue;
        }
        if (reference <= 0) {
            std::printf("%-44s %11.3f %7s\n", row.what, ms, "n/a");
            continue;
        }
        std::printf("%-44s %11.3f %7.2f %7s  %s\n", row.what, ms, ms / reference, "<= 1.5",
                    verdict(ms / reference <= CloseTargetRatio));
        const double inApp = reporter.counter(row.name, "close_end_ms");
        if (inApp >= 0) {
            std::printf("%-44s %11.3f  (info: the hooks, as close.end times them)\n",
                        "  of which: up to close.end", inApp);
            // The close does not wait for inspectors: the App's destruction does (at most 1 s).
            std::printf("%-44s %11.3f  (info: trace flush, signal handlers restored)\n",
                        "  of which: after close.end", ms - inApp);
        }
    }

    if (const double snapshots = reporter.counter("BM_CloseWithInspector", "snapshots");
        snapshots >= 0) {
        std::printf("%-44s %11.2f  (info: the protocol's snapshot, per attach; 1 expected)\n",
                    "  snapshots the inspector received", snapshots);
    }

    std::printf("\nInspector client ingest, 1 000 000 events from a local socket into its models "
                "(SPEC §11)\n");
    const double ingestMs = reporter.ms("BM_InspectorIngest");
    if (ingestMs < 0) {
        missing("ingest", "BM_InspectorIngest");
    } else {
        const double peak = reporter.counter("BM_InspectorIngest", "peak_MB");
        const double retained = reporter.counter("BM_InspectorIngest", "retained_MB");
        const double wire = reporter.counter("BM_InspectorIngest", "wire_MB");
        std::printf("%-44s %9.0f ms  target <= %.0f ms   ratio %5.2f  %s\n", "time", ingestMs,
                    IngestTargetMs, ingestMs / IngestTargetMs, verdict(ingestMs <= IngestTargetMs));
        std::printf("%-44s %9.0f MB  target <= %.0f MB    ratio %5.2f  %s%s\n",
                    "memory (peak RSS growth)", peak, IngestTargetMB, peak / IngestTargetMB,
                    verdict(peak <= IngestTargetMB),
                    reporter.counter("BM_InspectorIngest", "peak_resettable") > 0
                            ? ""
                            : "  (VmHWM not resettable: peak since start)");
        std::printf("%-44s %9.0f MB  (info: still held by the models at the end)\n",
                    "memory retained", retained);
        std::printf("%-44s %9.0f MB  (info: malloc'd; sizeof(TraceEvent) is %zu bytes)\n",
                    "  of which: heap in use", reporter.counter("BM_InspectorIngest", "heap_MB"),
                    sizeof(TraceEvent));
        std::printf("%-44s %9.0f MB  (info: %.0f bytes per event)\n", "bytes on the wire", wire,
                    wire * 1024 * 1024 / double(IngestEvents));
    }
    const struct
    {
        const char *name;
        const char *what;
    } parts[] = {{"BM_InspectorIngestDecodeOnly", "  of which: decoding (no socket, no model)"},
                 {"BM_InspectorIngestEventModelOnly", "  of which: EventTableModel::appendEvents"},
                 {"BM_InspectorIngestHookModelOnly", "  of which: HookTreeModel::appendEvents"}};
    for (const auto &part : parts) {
        const double ms = reporter.ms(part.name);
        if (ms < 0)
            missing(part.what, part.name);
        else
            std::printf("%-44s %9.0f ms  (info)\n", part.what, ms);
    }
    std::fflush(stdout);
    return ok;
}

} // namespace MortarBench

int main(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    // The apps' sockets and tokens in a runtime directory of the benchmark's own (0700).
    QTemporaryDir runtime;
    if (!runtime.isValid())
        return 2;
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    qputenv("QT_LOGGING_RULES", "mortar.inspect.info=false");
    QCoreApplication qtApp(argc, argv);

    MortarBench::MeasuringReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return MortarBench::printTable(reporter) ? 0 : 1;
}
