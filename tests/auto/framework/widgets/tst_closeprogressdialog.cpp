// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Mortar::CloseProgressDialog (SPEC §4.8) on real closes: what a user would see, sampled while
// the close waits (the close runs a nested event loop, so the samples are taken by a timer).
#include "mortartest.h"
#include <mortar/app.h>
#include <mortar/closeprogressdialog.h>
#include <mortar/testing.h>

#include <QAbstractButton>
#include <QElapsedTimer>
#include <QLabel>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Mortar::App;
using Mortar::CloseProgressDialog;
using Mortar::HookContext;

namespace {

/*! Registers a pre_close handler named \a name whose work takes \a duration. */
void addSlowHandler(App &app, const QString &name, std::chrono::milliseconds duration,
                    int weight = 0, std::chrono::milliseconds timeout = {})
{
    app.hooks().add(u"pre_close"_s,
                    [duration](HookContext &context) {
                        QTimer::singleShot(duration, [deferral = context.defer()]() mutable {
                            deferral.complete();
                        });
                    },
                    {.weight = weight, .name = name, .timeout = timeout});
}

/*! What the dialog looked like at a moment of the close. */
struct Sample
{
    qint64 ms; // since close() was called
    bool visible;
    QString label;
};

/*! Runs app.close() while sampling \a dialog every 10 ms. */
QList<Sample> closeWhileWatching(App &app, CloseProgressDialog &dialog)
{
    QList<Sample> samples;
    QElapsedTimer clock;
    QTimer sampler;
    sampler.setInterval(10ms);
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        samples.append({clock.elapsed(), dialog.isVisible(), dialog.labelText()});
    });
    clock.start();
    sampler.start();
    app.close();
    return samples;
}

std::optional<Sample> firstVisible(const QList<Sample> &samples)
{
    for (const Sample &sample : samples) {
        if (sample.visible)
            return sample;
    }
    return std::nullopt;
}

QString describe(const QList<Sample> &samples)
{
    // The samples where what was seen changed: short enough for a failure message.
    QStringList lines;
    for (qsizetype i = 0; i < samples.size(); ++i) {
        const Sample &sample = samples.at(i);
        if (i > 0 && i + 1 < samples.size() && samples.at(i - 1).visible == sample.visible
            && samples.at(i - 1).label.section(u'(', 0, 0) == sample.label.section(u'(', 0, 0))
            continue;
        lines << u"%1 ms %2 %3"_s.arg(sample.ms)
                         .arg(sample.visible ? u"visible"_s : u"hidden"_s)
                         .arg(QString(sample.label).replace(u'\n', u" | "_s));
    }
    return lines.join(u'\n');
}

} // namespace

class tst_CloseProgressDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appearsAfterItsMinimumDurationAndGoesWhenTheWaitEnds()
    {
        App app(Mortar::Test::options());
        addSlowHandler(app, u"notepad: flush autosave"_s, 800ms);
        CloseProgressDialog dialog(app);
        QCOMPARE(dialog.minimumDuration(), 500);

        const QList<Sample> samples = closeWhileWatching(app, dialog);
        const std::optional<Sample> shown = firstVisible(samples);
        QVERIFY2(shown, qPrintable(describe(samples)));
        // Not before the wait is 500 ms old (and, being seen at all, before the flush was done).
        QVERIFY2(shown->ms >= 500, qPrintable(describe(samples)));
        QVERIFY2(shown->label.contains(u"notepad: flush autosave"_s),
                 qPrintable(describe(samples)));
        // The time left in the handler's timeout (the App's default, 5 s), counting down.
        QVERIFY2(shown->label.contains(QRegularExpression(u"\\(4\\.\\d s left\\)"_s)),
                 qPrintable(describe(samples)));
        QVERIFY(!dialog.isVisible());
        QVERIFY(dialog.pendingHandlers().isEmpty());
    }

    void aShortWaitNeverShowsIt()
    {
        App app(Mortar::Test::options());
        addSlowHandler(app, u"quick flush"_s, 200ms);
        // And a wait after it that is short too: the 500 ms count is per continuous wait.
        addSlowHandler(app, u"quick removal"_s, 300ms, 10);
        CloseProgressDialog dialog(app);
        const QList<Sample> samples = closeWhileWatching(app, dialog);
        QVERIFY2(samples.size() > 20, qPrintable(describe(samples))); // it did watch the wait
        QVERIFY2(!firstVisible(samples), qPrintable(describe(samples)));
    }

    void namesEveryPendingHandlerWithItsOwnTimeout()
    {
        App app(Mortar::Test::options());
        // Same weight: their work overlaps, and the dialog lists both in run order; the
        // shorter one goes from the list when it is done.
        addSlowHandler(app, u"upload session"_s, 600ms, 0, 3s);
        addSlowHandler(app, u"write journal"_s, 1100ms);
        CloseProgressDialog dialog(app);
        dialog.setMinimumDuration(300);

        const QList<Sample> samples = closeWhileWatching(app, dialog);
        const std::optional<Sample> shown = firstVisible(samples);
        QVERIFY2(shown && shown->ms >= 300, qPrintable(describe(samples)));
        const QStringList lines = shown->label.split(u'\n');
        QVERIFY2(lines.size() == 3, qPrintable(describe(samples)));
        QVERIFY2(lines.at(1).contains(
                         QRegularExpression(u"^upload session \\(2\\.\\d s left\\)$"_s)),
                 qPrintable(describe(samples)));
        QVERIFY2(
                lines.at(2).contains(QRegularExpression(u"^write journal \\(4\\.\\d s left\\)$"_s)),
                qPrintable(describe(samples)));
        // After "upload session" settled (600 ms) and before the journal (1100 ms): one left.
        const auto later = std::find_if(samples.begin(), samples.end(),
                                        [](const Sample &s) { return s.ms > 650 && s.ms < 1050; });
        QVERIFY2(later != samples.end() && later->visible, qPrintable(describe(samples)));
        QVERIFY2(!later->label.contains(u"upload session"_s)
                         && later->label.contains(u"write journal"_s),
                 qPrintable(describe(samples)));
        QVERIFY(!dialog.isVisible());
    }

    void staysHiddenWhileNothingIsPending()
    {
        // QProgressDialog shows itself minimumDuration() after construction, close or not; and
        // show() is a user's reflex. Neither may put up "closing" while the App runs. A negative
        // check needs time to pass: a bounded wait past the minimum duration.
        App app(Mortar::Test::options());
        CloseProgressDialog dialog(app);
        dialog.setMinimumDuration(100);
        dialog.show();
        QTest::qWait(300);
        QVERIFY(!dialog.isVisible());
        QVERIFY(dialog.pendingHandlers().isEmpty());
    }

    void hasNoCancelButtonAndIsNoWindowToQuitOn()
    {
        // It takes no part in the close: nothing to cancel, and hiding it is not "the last
        // window closed".
        App app(Mortar::Test::options());
        CloseProgressDialog dialog(app);
        QVERIFY(!dialog.testAttribute(Qt::WA_QuitOnClose));
        const auto buttons = dialog.findChildren<QAbstractButton *>();
        QVERIFY(buttons.isEmpty());
    }
};

MORTAR_TEST_WIDGETS_MAIN(tst_CloseProgressDialog)
#include "tst_closeprogressdialog.moc"
