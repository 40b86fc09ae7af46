// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/closeprogressdialog.h>

#include <mortar/app.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QPointer>
#include <QTimer>

#include <optional>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace Mortar::Internal {

class CloseProgressDialogPrivate final
{
public:
    CloseProgressDialogPrivate(CloseProgressDialog *dialog, App &app) : q(dialog), m_app(&app) { }

    void onPendingHandlersChanged(const QStringList &handlers);
    void showNow();
    void updateLabel();
    /*! Milliseconds left before \a handler times out (or the close budget ends, if sooner);
        empty if neither bounds it. */
    std::optional<qint64> millisecondsLeft(const QString &handler) const;

    CloseProgressDialog *const q;
    QPointer<App> m_app;
    QStringList m_pending;
    bool m_allowShow = false; // setVisible(true) is honoured only while this is set
    QTimer m_showTimer;       // fires when that wait reaches minimumDuration()
    QTimer m_refreshTimer;    // counts the seconds down while the dialog is seen

    std::optional<QDeadlineTimer> m_closeBudget;
};

void CloseProgressDialogPrivate::onPendingHandlersChanged(const QStringList &handlers)
{
    const bool wasWaiting = !m_pending.isEmpty();
    m_pending = handlers;
    if (m_pending.isEmpty()) {
        // The wait ended: the dialog goes at once, and the next wait starts counting afresh.
        m_showTimer.stop();
        m_refreshTimer.stop();
        m_allowShow = false;
        q->QProgressDialog::setVisible(false);
        return;
    }
    if (!wasWaiting)
        m_showTimer.start(std::max(0, q->minimumDuration()));
    updateLabel();
}

void CloseProgressDialogPrivate::showNow()
{
    if (m_pending.isEmpty())
        return;
    updateLabel();
    m_allowShow = true;
    q->QProgressDialog::setVisible(true);
    m_refreshTimer.start();
}

std::optional<qint64> CloseProgressDialogPrivate::millisecondsLeft(const QString &handler) const
{
    if (!m_app)
        return std::nullopt;
    std::optional<qint64> left;
    const QDeadlineTimer deadline = m_app->pendingDeadline(handler);
    if (!deadline.isForever())
        left = std::max<qint64>(0, deadline.remainingTime());
    if (m_closeBudget && !m_closeBudget->isForever()) {
        const qint64 budgetLeft = std::max<qint64>(0, m_closeBudget->remainingTime());
        left = left ? std::min(*left, budgetLeft) : budgetLeft;
    }
    return left;
}

void CloseProgressDialogPrivate::updateLabel()
{
    QStringList lines;
    for (const QString &handler : std::as_const(m_pending)) {
        const std::optional<qint64> left = millisecondsLeft(handler);
        if (left) {
            lines << CloseProgressDialog::tr("%1 (%2 s left)")
                             .arg(handler, QString::number(double(*left) / 1000.0, 'f', 1));
        } else {
            lines << handler;
        }
    }
    const QString what = m_pending.size() == 1
            ? CloseProgressDialog::tr("Waiting for")
            : CloseProgressDialog::tr("Waiting for %n handlers", nullptr, m_pending.size());
    q->setLabelText(what + u":\n"_s + lines.join(u'\n'));
}

} // namespace Mortar::Internal

namespace Mortar {

CloseProgressDialog::CloseProgressDialog(App &app, QWidget *parent)
    : QProgressDialog(parent),
      d(std::make_unique<Internal::CloseProgressDialogPrivate>(this, app))
{
    // The dialog, not QProgressDialog's value-driven heuristics, decides when it is seen; a
    // close cannot be cancelled, so there is no Cancel button; and the progress of a deferral
    // is unknown, so the bar is a busy indicator.
    setAutoReset(false);
    setAutoClose(false);
    setCancelButton(nullptr);
    setRange(0, 0);
    setMinimumDuration(500);
    setWindowTitle(tr("%1 is closing")
                           .arg(QCoreApplication::applicationName().isEmpty()
                                        ? app.label()
                                        : QCoreApplication::applicationName()));
    // Hiding or closing it must never look like "the last window closed" to Qt.
    setAttribute(Qt::WA_QuitOnClose, false);
    setMinimumWidth(360);

    d->m_showTimer.setSingleShot(true);
    // "Longer than minimumDuration()": a coarse timer may fire up to 5 % early.
    d->m_showTimer.setTimerType(Qt::PreciseTimer);
    connect(&d->m_showTimer, &QTimer::timeout, this, [this] { d->showNow(); });
    d->m_refreshTimer.setInterval(100ms);
    connect(&d->m_refreshTimer, &QTimer::timeout, this, [this] { d->updateLabel(); });

    connect(&app, &App::pendingHandlersChanged, this,
            [this](const QStringList &handlers) { d->onPendingHandlersChanged(handlers); });
    connect(&app, &App::stateChanged, this, [this](App::State state) {
        // The watchdog's budget runs from here (SPEC §4.6); a handler cannot outlast it.
        // (A budget of years is no budget, as for the watchdog.)
        if (state != App::State::Closing || !d->m_app)
            return;
        const std::chrono::milliseconds budget = d->m_app->options().closeTimeout;
        if (budget > 0ms && budget < std::chrono::hours(24 * 365))
            d->m_closeBudget = QDeadlineTimer(budget);
    });
    connect(&app, &App::closed, this, [this] { d->onPendingHandlersChanged({}); });
    d->onPendingHandlersChanged(app.pendingHandlers());
}

CloseProgressDialog::~CloseProgressDialog() = default;

QStringList CloseProgressDialog::pendingHandlers() const
{
    return d->m_pending;
}

void CloseProgressDialog::setVisible(bool visible)
{
    if (visible && !d->m_allowShow)
        return;
    QProgressDialog::setVisible(visible);
}

} // namespace Mortar
