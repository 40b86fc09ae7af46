// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The storage plugin's author proves the journal never outlives the app, whatever the sync
// plugin beside it does in its own cleanup.
#include "journal.h"

#include <mortar/testing.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class tst_Journal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_app = std::make_unique<Mortar::App>(Mortar::Test::options());
        QVERIFY(m_app->setup());
        // The sibling plugin: uploads before anything is removed.
        m_app->hooks().add(u"pre_close"_s, [] { /* upload changes */ },
                           {.weight = -10, .name = u"sync: upload changes"_s});
        m_journal = std::make_unique<Journal>(*m_app, m_dir.filePath(u"journal"_s));
    }
    void cleanup()
    {
        m_journal.reset();
        m_app.reset();
    }

    void removedOnAnOrderlyClose()
    {
        const Mortar::Test::RehearsalReport report = Mortar::Test::Rehearsal(*m_app).run();
        QVERIFY2(report.clean(), qPrintable(report.toText()));
        QVERIFY(!QFile::exists(m_journal->path()));
    }

    void removedWhenTheSiblingThrows()
    {
        Mortar::Test::Rehearsal rehearsal(*m_app);
        rehearsal.throwIn(u"sync: upload changes"_s).signal(SIGTERM);
        const Mortar::Test::RehearsalReport report = rehearsal.run();
        QVERIFY2(!QFile::exists(m_journal->path()), qPrintable(report.toText()));
        QCOMPARE(report.exitCode(), 128 + SIGTERM); // a signal's code wins over a failure
    }

    void removedWhenTheSiblingHangsAndTheWatchdogFires()
    {
        Mortar::Test::Rehearsal rehearsal(*m_app);
        rehearsal.hangIn(u"sync: upload changes"_s).watchdogAfter(200ms).signal(SIGTERM);
        const Mortar::Test::RehearsalReport report = rehearsal.run();
        // The orderly removal never ran; the emergency cleanup would have taken the journal.
        QCOMPARE(report.killedBy(), u"watchdog"_s);
        QCOMPARE(report.killedIn(), u"sync: upload changes"_s);
        QCOMPARE(report.exitCode(), 124);
        QVERIFY(report.neverRan().contains(u"storage: remove journal"_s));
        QVERIFY2(report.wouldRemove().contains(m_journal->path()), qPrintable(report.toText()));
    }

    void removedOnASecondCtrlCWhileTheSiblingNeverFinishes()
    {
        Mortar::Test::Rehearsal rehearsal(*m_app);
        rehearsal.neverSettle(u"sync: upload changes"_s).signal(SIGINT).secondSignal(SIGINT, 100ms);
        const Mortar::Test::RehearsalReport report = rehearsal.run();
        QCOMPARE(report.killedBy(), u"signal"_s);
        QCOMPARE(report.exitCode(), 128 + SIGINT);
        QVERIFY2(report.wouldRemove().contains(m_journal->path()), qPrintable(report.toText()));
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Mortar::App> m_app;
    std::unique_ptr<Journal> m_journal;
};

QTEST_GUILESS_MAIN(tst_Journal)
#include "tst_journal.moc"
