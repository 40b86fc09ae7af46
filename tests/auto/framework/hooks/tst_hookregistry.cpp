// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include <mortar/app.h>

#include <QPromise>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <stdexcept>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::HandlerResult;
using Mortar::HookContext;
using Status = Mortar::HandlerResult::Status;

// A plain function handler: its symbol names it, when the symbol is exported.
Q_DECL_EXPORT void countingCleanup(App &app)
{
    app.setProperty("countingCleanup", app.property("countingCleanup").toInt() + 1);
}

// Not exported (the tree builds with hidden visibility): no symbol to name it by.
static void hiddenCleanup() { }

class Cleaner : public QObject
{
    Q_OBJECT
public:
    void cleanUp()
    {
        ++calls;
        thread = QThread::currentThread();
    }
    void cleanUpApp(App &) { ++calls; }
    void cleanUpContext(HookContext &context) { context.setValue(u"cleaned"_s); }
    void hang() { QThread::sleep(2); }
    int calls = 0;
    QThread *thread = nullptr;
};

// A member function defined out of line and exported: it has a symbol to be named after.
class Flusher : public QObject
{
    Q_OBJECT
public:
    Q_DECL_EXPORT void flush();
};

void Flusher::flush() { }

class tst_HookRegistry : public QObject
{
    Q_OBJECT

private:
    static Mortar::AppOptions options() { return {.label = u"test"_s}; }

private Q_SLOTS:
    void frameworkHooksAreDefinedAtConstruction()
    {
        App app(options());
        const QStringList expected = {u"pre_setup"_s,
                                      u"post_setup"_s,
                                      u"pre_argument_parsing"_s,
                                      u"post_argument_parsing"_s,
                                      u"pre_run"_s,
                                      u"post_run"_s,
                                      u"quit_requested"_s,
                                      u"pre_close"_s,
                                      u"post_close"_s,
                                      u"signal"_s};
        QCOMPARE(app.hooks().names(), expected);
        QVERIFY(app.hooks().isDefined(u"pre_close"_s));
        QVERIFY(!app.hooks().isDefined(u"nope"_s));
    }

    void defineAddsAHookOnce()
    {
        App app(options());
        QSignalSpy defined(&app.hooks(), &Mortar::HookRegistry::hookDefined);
        QVERIFY(defined.isValid());
        QVERIFY(app.hooks().define(u"cache_flush"_s));
        QCOMPARE(defined.count(), 1);
        QCOMPARE(defined.at(0).at(0).toString(), u"cache_flush"_s);
        QCOMPARE(app.hooks().names().last(), u"cache_flush"_s);
        QTest::ignoreMessage(QtWarningMsg, "Hook 'cache_flush' is already defined");
        QVERIFY(!app.hooks().define(u"cache_flush"_s));
        QCOMPARE(defined.count(), 1);
    }

    void weightsOrderTheRun()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        app.hooks().add(u"h"_s, [] { return 99; }, {.weight = 99});
        app.hooks().add(u"h"_s, [] { return -1; }, {.weight = -1});
        app.hooks().add(u"h"_s, [] { return -99; }, {.weight = -99});
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QVERIFY(run.ok());
        QCOMPARE(run.values(), (QVariantList{-99, -1, 99}));
    }

    void equalWeightsKeepRegistrationOrder_data()
    {
        QTest::addColumn<QList<int>>("weights");
        QTest::addColumn<QList<int>>("expectedOrder"); // registration indices in run order
        QTest::addRow("all-equal") << QList<int>{0, 0, 0, 0} << QList<int>{0, 1, 2, 3};
        QTest::addRow("mixed") << QList<int>{5, -5, 5, -5, 0} << QList<int>{1, 3, 4, 0, 2};
        QTest::addRow("descending") << QList<int>{3, 2, 1} << QList<int>{2, 1, 0};
    }
    void equalWeightsKeepRegistrationOrder()
    {
        QFETCH(QList<int>, weights);
        QFETCH(QList<int>, expectedOrder);
        App app(options());
        app.hooks().define(u"h"_s);
        for (int i = 0; i < weights.size(); ++i)
            app.hooks().add(u"h"_s, [i] { return i; }, {.weight = weights[i]});
        QVariantList expected;
        for (int index : expectedOrder)
            expected.append(index);
        QCOMPARE(app.hooks().run(u"h"_s).values(), expected);
    }

    void everyHandlerFormRuns()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        int plain = 0;
        app.hooks().add(u"h"_s, [&] { ++plain; });
        app.hooks().add(u"h"_s, [&](App &a) {
            QCOMPARE(&a, &app);
            ++plain;
        });
        app.hooks().add(u"h"_s, [&](HookContext &c) {
            QCOMPARE(c.hook(), u"h"_s);
            QCOMPARE(c.arguments(), QVariantList{42});
            c.setValue(u"from context"_s);
        });
        app.hooks().add(u"h"_s, [] { return u"returned"_s; });
        app.hooks().add(u"h"_s, &countingCleanup);
        Cleaner cleaner;
        app.hooks().add(u"h"_s, &cleaner, &Cleaner::cleanUp);
        app.hooks().add(u"h"_s, &cleaner, &Cleaner::cleanUpApp);
        app.hooks().add(u"h"_s, &cleaner, &Cleaner::cleanUpContext);
        app.hooks().add(u"h"_s, &cleaner, [&cleaner] { ++cleaner.calls; });

        const Mortar::HookRun run = app.hooks().run(u"h"_s, {42});
        QVERIFY2(run.ok(), qPrintable(run.errorString()));
        QCOMPARE(run.results().size(), 9);
        QCOMPARE(plain, 2);
        QCOMPARE(app.property("countingCleanup").toInt(), 1);
        QCOMPARE(cleaner.calls, 3);
        QCOMPARE(run.values(), (QVariantList{u"from context"_s, u"returned"_s, u"cleaned"_s}));
    }

    void futureHandlersAreAwaited()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        bool finishedBeforeRunReturned = false;
        app.hooks().add(u"h"_s, [&]() -> QFuture<void> {
            auto promise = std::make_shared<QPromise<void>>();
            promise->start();
            QTimer::singleShot(30, [promise, &finishedBeforeRunReturned] {
                finishedBeforeRunReturned = true;
                promise->finish();
            });
            return promise->future();
        });
        app.hooks().add(u"h"_s,
                        []() -> QFuture<void> {
                            auto promise = std::make_shared<QPromise<void>>();
                            promise->start();
                            QTimer::singleShot(10, [promise] {
                                promise->setException(
                                        std::make_exception_ptr(std::runtime_error("disk full")));
                                promise->finish();
                            });
                            return promise->future();
                        },
                        {.name = u"failing future"_s});
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QVERIFY(finishedBeforeRunReturned);
        QCOMPARE(run.results().at(0).status, Status::Ok);
        QVERIFY(run.results().at(0).durationNs >= 25'000'000);
        QCOMPARE(run.results().at(1).status, Status::Failed);
        QCOMPARE(run.results().at(1).error, u"disk full"_s);
    }

    void deferralOutcomes()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        app.hooks().add(u"h"_s,
                        [](HookContext &c) {
                            QTimer::singleShot(20,
                                               [d = std::make_shared<Mortar::Deferral>(c.defer())] {
                                                   d->complete();
                                               });
                        },
                        {.name = u"completes"_s});
        app.hooks().add(u"h"_s,
                        [](HookContext &c) {
                            QTimer::singleShot(5,
                                               [d = std::make_shared<Mortar::Deferral>(c.defer())] {
                                                   d->fail(u"remote refused"_s);
                                               });
                        },
                        {.name = u"fails"_s});
        app.hooks().add(u"h"_s, [](HookContext &c) { (void)c.defer(); }, {.name = u"drops"_s});
        auto *forgotten = new std::optional<Mortar::Deferral>;
        app.hooks().add(u"h"_s, [forgotten](HookContext &c) { forgotten->emplace(c.defer()); },
                        {.name = u"never settles"_s, .timeout = std::chrono::milliseconds(100)});

        QElapsedTimer timer;
        timer.start();
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QCOMPARE(run.results().at(0).status, Status::Ok);
        QCOMPARE(run.results().at(1).status, Status::Failed);
        QCOMPARE(run.results().at(1).error, u"remote refused"_s);
        QCOMPARE(run.results().at(2).status, Status::Failed);
        QVERIFY2(run.results().at(2).error.contains(u"abandoned"_s),
                 qPrintable(run.results().at(2).error));
        QCOMPARE(run.results().at(3).status, Status::TimedOut);
        QVERIFY(run.results().at(3).error.contains(u"100 ms"_s));
        QVERIFY(!run.ok());
        QVERIFY(timer.elapsed() < 5000); // bounded by the 100 ms timeout, not the 5 s default
        delete forgotten;
    }

    void throwingHandlersAreIsolated()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        int ran = 0;
        app.hooks().add(u"h"_s, [] { throw std::runtime_error("boom"); }, {.weight = -2});
        app.hooks().add(u"h"_s, [] { throw 42; }, {.weight = -1});
        app.hooks().add(u"h"_s, [&] { ++ran; }, {.weight = 1});
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QCOMPARE(ran, 1);
        QVERIFY(!run.ok());
        QCOMPARE(run.results().at(0).status, Status::Failed);
        QCOMPARE(run.results().at(0).error, u"boom"_s);
        QCOMPARE(run.results().at(1).status, Status::Failed);
        QVERIFY(run.results().at(1).error.contains(u"not derived from std::exception"_s));
        QCOMPARE(run.results().last().status, Status::Ok);
    }

    void hookRunKeepsWhatDiffers()
    {
        // Only the outcomes that differ from a plain return are kept; results() still gives one
        // result per handler, in run order, and a copy of the run shares them.
        App app(options());
        app.hooks().define(u"h"_s);
        app.hooks().add(u"h"_s, [] {}, {.name = u"plain"_s});
        app.hooks().add(u"h"_s, [] { throw std::runtime_error("bad"); }, {.name = u"thrower"_s});
        app.hooks().add(u"h"_s, [] { return 7; }, {.weight = 1, .name = u"seven"_s});
        app.hooks().add(u"h"_s, [] {}, {.weight = 2, .name = u"last"_s});
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QCOMPARE(run.hook(), u"h"_s);
        QVERIFY(!run.ok());
        QVERIFY(run.errorString().isEmpty());
        QCOMPARE(run.handlerCount(), 4);
        QCOMPARE(run.values(), QVariantList{7});
        QCOMPARE(run.failures().size(), 1);
        QCOMPARE(run.failures().constFirst().handler.name(), u"thrower"_s);
        QCOMPARE(run.failures().constFirst().error, u"bad"_s);
        const Mortar::HookRun copy = run;
        const QList<HandlerResult> results = copy.results();
        QCOMPARE(results.size(), 4);
        QStringList names;
        for (const HandlerResult &result : results)
            names.append(result.handler.name());
        QCOMPARE(names, (QStringList{u"plain"_s, u"thrower"_s, u"seven"_s, u"last"_s}));
        QCOMPARE(results.at(0).status, Status::Ok);
        QCOMPARE(results.at(1).status, Status::Failed);
        QCOMPARE(results.at(2).value, QVariant(7));
        QCOMPARE(results.at(3).status, Status::Ok);
        QVERIFY(results.at(3).startNs >= results.at(0).startNs); // traced: timings kept
        QVERIFY(results.at(0).startNs > 0);
    }

    void undefinedHooksAreReported()
    {
        App app(options());
        QTest::ignoreMessage(
                QtWarningMsg,
                QRegularExpression(u"Unable to add handler .* hook 'nope' is not defined"_s));
        const Mortar::HandlerId id = app.hooks().add(u"nope"_s, [] {});
        QVERIFY(!id.isValid());
        QTest::ignoreMessage(QtWarningMsg, "Unable to run hook 'nope': it is not defined");
        const Mortar::HookRun run = app.hooks().run(u"nope"_s);
        QVERIFY(!run.ok());
        QVERIFY(run.errorString().contains(u"not defined"_s));
        const auto events = app.trace().events();
        QVERIFY(std::any_of(events.begin(), events.end(), [](const Mortar::TraceEvent &e) {
            return e.kind == u"handler.refused"_s && e.hook == u"nope"_s;
        }));
        QVERIFY(std::any_of(events.begin(), events.end(), [](const Mortar::TraceEvent &e) {
            return e.kind == u"hook.undefined"_s && e.hook == u"nope"_s;
        }));
    }

    void removeUnregisters()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        QSignalSpy removed(&app.hooks(), &Mortar::HookRegistry::handlerRemoved);
        int calls = 0;
        const auto id = app.hooks().add(u"h"_s, [&] { ++calls; });
        QVERIFY(app.hooks().remove(id));
        QVERIFY(!app.hooks().remove(id));
        QCOMPARE(removed.count(), 1);
        app.hooks().run(u"h"_s);
        QCOMPARE(calls, 0);
        QVERIFY(app.hooks().handlers(u"h"_s).isEmpty());
    }

    void orderSurvivesManyRemovals()
    {
        // Mixed weights, then most handlers removed in an interleaved pattern (levels compact
        // as they empty), then more added: the run order is still by weight, then registration.
        App app(options());
        app.hooks().define(u"h"_s);
        QList<Mortar::HandlerId> ids;
        for (int i = 0; i < 300; ++i)
            ids.append(app.hooks().add(u"h"_s, [i] { return i; }, {.weight = i % 3}));
        for (int i = 0; i < 300; ++i) {
            if (i % 5 != 0)
                QVERIFY(app.hooks().remove(ids[i]));
        }
        for (int i = 300; i < 306; ++i)
            app.hooks().add(u"h"_s, [i] { return i; }, {.weight = i % 3});
        QVariantList expected;
        for (int weight = 0; weight < 3; ++weight) {
            for (int i = 0; i < 306; ++i) {
                if (i % 3 == weight && (i % 5 == 0 || i >= 300))
                    expected.append(i);
            }
        }
        QCOMPARE(app.hooks().run(u"h"_s).values(), expected);
        QCOMPARE(app.hooks().handlers(u"h"_s).size(), expected.size());
        QCOMPARE(app.hooks().handlers(u"h"_s).constFirst().weight(), 0);
        QCOMPARE(app.hooks().handlers(u"h"_s).constLast().weight(), 2);
    }

    void handlersRemovedDuringARunAreSkipped()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        Mortar::HandlerId second;
        int secondCalls = 0, addedCalls = 0;
        app.hooks().add(u"h"_s, [&] {
            app.hooks().remove(second);
            app.hooks().add(u"h"_s, [&] { ++addedCalls; });
        });
        second = app.hooks().add(u"h"_s, [&] { ++secondCalls; });
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QCOMPARE(secondCalls, 0);
        QCOMPARE(addedCalls, 0); // added during the run: runs next time
        QCOMPARE(run.results().size(), 2);
        QCOMPARE(run.results().at(1).status, Status::Skipped);
        app.hooks().run(u"h"_s);
        QCOMPARE(addedCalls, 1);
    }

    void handlersDescribeThemselves()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        QSignalSpy added(&app.hooks(), &Mortar::HookRegistry::handlerAdded);
        const int line = __LINE__ + 1;
        app.hooks().add(u"h"_s, [] {});
        app.hooks().add(u"h"_s, &countingCleanup);
        Cleaner cleaner;
        cleaner.setObjectName(u"tmp"_s);
        app.hooks().add(u"h"_s, &cleaner, [] {});
        app.hooks().add(u"h"_s, [] {}, {.weight = 3, .name = u"flush cache"_s});
        {
            const Mortar::HookRegistry::OwnerScope scope(app.hooks(), u"extension:cache"_s);
            app.hooks().add(u"h"_s, [] {});
        }

        const QList<Mortar::HandlerInfo> infos = app.hooks().handlers(u"h"_s);
        QCOMPARE(infos.size(), 5);
        QCOMPARE(added.count(), 5);
        QCOMPARE(infos[0].name(), u"lambda at tst_hookregistry.cpp:%1"_s.arg(line));
        QCOMPARE(infos[0].source(), u"tst_hookregistry.cpp:%1"_s.arg(line));
        QCOMPARE(infos[0].owner(), u"test"_s);
        QCOMPARE(infos[0].hook(), u"h"_s);
        QCOMPARE(infos[1].name(), u"countingCleanup"_s);
        QCOMPARE(infos[2].name(), u"Cleaner (tmp)"_s);
        QVERIFY(infos[2].hasContext());
        QCOMPARE(infos[3].name(), u"lambda at tst_hookregistry.cpp:%1"_s.arg(line + 8));
        QCOMPARE(infos[3].owner(), u"extension:cache"_s);
        QCOMPARE(infos[4].name(), u"flush cache"_s); // weight 3 runs last
        QCOMPARE(infos[4].weight(), 3);
        QVERIFY(infos[4].id().isValid());
        QVERIFY(infos[0].id() != infos[4].id());
    }

    void handlersRegisteredAlikeKeepTheirOwnDescriptions()
    {
        // add() shares one description among handlers registered alike, through a small
        // per-thread cache: many distinct names, weights and owners (more than it holds, their
        // strings made and let go as they come) must each still be told as registered, in the
        // registry and in the trace.
        App app(options());
        app.hooks().define(u"h"_s);
        constexpr int Count = 600;
        for (int i = 0; i < Count; ++i) {
            const Mortar::HookRegistry::OwnerScope scope(app.hooks(), u"owner %1"_s.arg(i % 7));
            app.hooks().add(u"h"_s, [] {}, {.weight = i % 3, .name = u"handler %1"_s.arg(i)});
            app.hooks().add(u"h"_s, [] {}, {.weight = i % 3}); // a default name: shared
        }
        const QList<Mortar::HandlerInfo> infos = app.hooks().handlers(u"h"_s);
        QCOMPARE(infos.size(), 2 * Count);
        QHash<QString, Mortar::HandlerInfo> named;
        for (const Mortar::HandlerInfo &info : infos) {
            if (info.name().startsWith(u"handler "_s))
                named.insert(info.name(), info);
        }
        QCOMPARE(named.size(), Count);
        for (int i = 0; i < Count; ++i) {
            const Mortar::HandlerInfo info = named.value(u"handler %1"_s.arg(i));
            QCOMPARE(info.weight(), i % 3);
            QCOMPARE(info.owner(), u"owner %1"_s.arg(i % 7));
            QCOMPARE(info.hook(), u"h"_s);
        }
        int checked = 0;
        for (const Mortar::TraceEvent &event : app.trace().events()) {
            if (event.kind != u"handler.added"_s || !event.handler.startsWith(u"handler "_s))
                continue;
            const int i = event.handler.mid(8).toInt();
            QCOMPARE(event.weight, i % 3);
            QCOMPARE(event.owner, u"owner %1"_s.arg(i % 7));
            ++checked;
        }
        QCOMPARE(checked, Count);
    }

    void registriesOneAfterAnotherKeepTheirHooksApart()
    {
        // add() remembers the last hook it added to per thread: a registry made where an earlier
        // one was, or two in turn, must each find their own.
        for (int round = 0; round < 3; ++round) {
            auto first = std::make_unique<App>(options());
            auto second = std::make_unique<App>(options());
            QVERIFY(second->hooks().define(u"only_second"_s));
            int firstRan = 0;
            int secondRan = 0;
            first->hooks().add(u"pre_close"_s, [&] { ++firstRan; });
            second->hooks().add(u"pre_close"_s, [&] { ++secondRan; });
            second->hooks().add(u"only_second"_s, [&] { ++secondRan; });
            QTest::ignoreMessage(QtWarningMsg,
                                 QRegularExpression(u"hook 'only_second' is not defined"_s));
            QVERIFY(!first->hooks().add(u"only_second"_s, [] {}).isValid());
            QCOMPARE(first->hooks().handlers(u"pre_close"_s).size(), 2); // with App::preClose()
            QCOMPARE(second->hooks().handlers(u"pre_close"_s).size(), 2);
            first->hooks().run(u"pre_close"_s);
            QCOMPARE(firstRan, 1);
            QCOMPARE(secondRan, 0);
            second->hooks().run(u"only_second"_s);
            QCOMPARE(secondRan, 1);
            first.reset(); // the next round's may be made where this one was
            second.reset();
        }
    }

    void hiddenFunctionsAreNamedByTheirRegistration()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        const int line = __LINE__ + 1;
        app.hooks().add(u"h"_s, &hiddenCleanup);
        QCOMPARE(app.hooks().handlers(u"h"_s).value(0).name(),
                 u"function at tst_hookregistry.cpp:%1"_s.arg(line));
    }

    void memberFunctionsAreNamedAfterTheirSymbol()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        Flusher flusher;
        app.hooks().add(u"h"_s, &flusher, &Flusher::flush);
        QCOMPARE(app.hooks().handlers(u"h"_s).value(0).name(), u"Flusher::flush"_s);
    }

    void inlineMemberFunctionsAreNamedAfterTheirClass()
    {
        // Inline member functions are hidden (CMAKE_VISIBILITY_INLINES_HIDDEN): no symbol to find,
        // so the context's class names the handler.
        App app(options());
        app.hooks().define(u"h"_s);
        Cleaner cleaner;
        app.hooks().add(u"h"_s, &cleaner, &Cleaner::cleanUp);
        QCOMPARE(app.hooks().handlers(u"h"_s).value(0).name(), u"Cleaner"_s);
    }

    void contextDestructionRemovesTheHandler()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        auto *cleaner = new Cleaner;
        app.hooks().add(u"h"_s, cleaner, &Cleaner::cleanUp);
        QCOMPARE(app.hooks().handlers(u"h"_s).size(), 1);
        delete cleaner;
        QVERIFY(app.hooks().handlers(u"h"_s).isEmpty());
        QVERIFY(app.hooks().run(u"h"_s).results().isEmpty());
    }

    void contextInAnotherThreadRunsThere()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        QThread worker;
        worker.start();
        auto cleanup = qScopeGuard([&] {
            worker.quit();
            worker.wait();
        });
        Cleaner cleaner;
        cleaner.moveToThread(&worker);
        app.hooks().add(u"h"_s, &cleaner, &Cleaner::cleanUp);
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QVERIFY(run.ok());
        QCOMPARE(cleaner.calls, 1);
        QCOMPARE(cleaner.thread, &worker);
    }

    void contextInAHungThreadTimesOut()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        QThread worker;
        worker.start();
        auto cleanup = qScopeGuard([&] {
            worker.quit();
            worker.wait();
        });
        Cleaner cleaner;
        cleaner.moveToThread(&worker);
        app.hooks().add(u"h"_s, &cleaner, &Cleaner::hang,
                        {.timeout = std::chrono::milliseconds(100)});
        int after = 0;
        app.hooks().add(u"h"_s, [&] { ++after; });
        QElapsedTimer timer;
        timer.start();
        const Mortar::HookRun run = app.hooks().run(u"h"_s);
        QVERIFY(timer.elapsed() < 1500);
        QCOMPARE(run.results().at(0).status, Status::TimedOut);
        QCOMPARE(after, 1);
    }

    void registrationIsThreadSafe()
    {
        App app(options());
        app.hooks().define(u"h"_s);
        std::atomic<int> calls{0};
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&] {
                for (int i = 0; i < 500; ++i) {
                    const auto id = app.hooks().add(u"h"_s, [&] { ++calls; });
                    if (i % 5 == 0)
                        app.hooks().remove(id);
                }
            }));
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(10000));
            delete thread;
        }
        QCOMPARE(app.hooks().handlers(u"h"_s).size(), 4 * 400);
        app.hooks().run(u"h"_s);
        QCOMPARE(calls.load(), 4 * 400);
    }

    void appSignalsAreWeightZeroHandlers()
    {
        QStringList order; // before the App: its destructor runs pre_close again
        App app(options());
        app.hooks().add(u"pre_close"_s, [&] { order << u"-1"_s; }, {.weight = -1});
        app.hooks().add(u"pre_close"_s, [&] { order << u"+1"_s; }, {.weight = 1});
        QObject receiver;
        connect(&app, &App::preClose, &receiver, [&] { order << u"signal"_s; });
        const QList<Mortar::HandlerInfo> infos = app.hooks().handlers(u"pre_close"_s);
        QCOMPARE(infos.size(), 3);
        QCOMPARE(infos[1].name(), u"App::preClose()"_s);
        QCOMPARE(infos[1].weight(), 0);
        QCOMPARE(infos[1].owner(), u"Mortar::App"_s);
        QCOMPARE(infos[1].receiverCount(), 1);
        QCOMPARE(infos[0].receiverCount(), -1);
        app.hooks().run(u"pre_close"_s);
        QCOMPARE(order, (QStringList{u"-1"_s, u"signal"_s, u"+1"_s}));
    }

    void signalHookEmitsSignalReceived()
    {
        App app(options());
        QSignalSpy received(&app, &App::signalReceived);
        app.hooks().run(u"signal"_s, {15});
        QCOMPARE(received.count(), 1);
        QCOMPARE(received.at(0).at(0).toInt(), 15);
    }

    void preventDefaultIsReported()
    {
        App app(options());
        app.hooks().add(u"signal"_s, [](HookContext &c) {
            QVERIFY(!c.isDefaultPrevented());
            c.preventDefault();
        });
        QVERIFY(app.hooks().run(u"signal"_s, {1}).defaultPrevented());
        App other(options());
        QVERIFY(!other.hooks().run(u"signal"_s, {1}).defaultPrevented());
    }

    void deadlineIsForeverOutsideClose()
    {
        App app(options());
        bool forever = false;
        app.hooks().add(u"pre_run"_s, [&](HookContext &c) {
            forever
                = c.deadline().isForever();
        });
        app.hooks().run(u"pre_run"_s);
        QVERIFY(forever);
    }
};

MORTAR_TEST_MAIN(tst_HookRegistry)
#include "tst_hookregistry.moc"
