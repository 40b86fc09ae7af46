// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Quit requests and their veto (spec §4.7): app.quit(n), Qt's QEvent::Quit (QCoreApplication::
// quit(), the last window closing) and the inspector's requestClose run quit_requested first.
#include <mortar/app.h>

#include "app_p.h"
#include "loggingcategories_p.h"

#include <QCoreApplication>
#include <QEvent>
#include <QThread>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

bool AppPrivate::requestQuit(CloseCause cause, std::optional<int> code)
{
    if (inQuitRequested) {
        // E.g. the window's close button again while the "Save changes?" dialog is open: the
        // request on screen decides.
        qCDebug(lcApp).noquote() << u"A quit request (%1) came while quit_requested was still "
                                    u"deciding the previous one; it is ignored"_s.arg(
                                            causeName(cause));
        return false;
    }
    inQuitRequested = true;
    const HookRun run = hooks->run(u"quit_requested"_s, {causeName(cause)});
    inQuitRequested = false;
    if (state >= App::State::Closing)
        return false; // a handler closed, or a signal came while a dialog was open
    if (!run.defaultPrevented())
        return true;
    record(u"quit.prevented"_s, {{u"cause"_s, causeName(cause)}, {u"handler"_s, run.preventedBy()}},
           code);
    qCInfo(lcApp).noquote() << u"The quit request (%1) was prevented by '%2'; the App keeps "
                               u"running"_s.arg(causeName(cause), run.preventedBy());
    return false;
}

bool AppPrivate::onQtQuitEvent(QEvent *event)
{
    const CloseCause cause = std::exchange(lastWindowClosed, false) ? CloseCause::LastWindowClosed
                                                                    : CloseCause::Quit;
    if (state == App::State::Closed)
        return false; // the App is done: Qt's quit is Qt's
    if (state == App::State::Closing) {
        // The same request again, as quit(n) during the close (spec §4.1); the close leaves
        // the loop when it is done, so Qt does not end its nested loops under it.
        record(u"close.repeated"_s, {{u"cause"_s, causeName(cause)}});
        quitAfterClose = true;
        return true;
    }
    if (quitCause)
        return false; // accepted already (App::quit() left the loop with it): Qt goes on
    if (!requestQuit(cause, std::nullopt))
        return true; // vetoed, or being decided: nothing closes
    // Accepted: Qt goes on, now — a QGuiApplication first asks its windows, which may refuse;
    // then the loop is left and aboutToQuit closes the App with this cause.
    quitCause = cause;
    qtAppWatcher->forwarding = true;
    event->setAccepted(true);
    QCoreApplication::sendEvent(QCoreApplication::instance(), event);
    qtAppWatcher->forwarding = false;
    if (!event->isAccepted() && state < App::State::Closing)
        quitCause.reset(); // a window refused to close: the App keeps running
    return true;
}

bool QtAppWatcher::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::Quit || watched != QCoreApplication::instance() || forwarding)
        return false;
    return m_d->onQtQuitEvent(event);
}

void QtAppWatcher::onLastWindowClosed()
{
    // Qt posts the QEvent::Quit that ends the app after emitting lastWindowClosed (when
    // quitOnLastWindowClosed is set): that event's cause is lastWindowClosed. Forgotten two
    // posted-event hops later, so that a Quit of a later, unrelated request is not mistaken
    // for it when no Quit followed (quitOnLastWindowClosed off).
    m_d->lastWindowClosed = true;
    QMetaObject::invokeMethod(
            this,
            [this] {
                QMetaObject::invokeMethod(
                        this, [this] { m_d->lastWindowClosed = false; }, Qt::QueuedConnection);
            },
            Qt::QueuedConnection);
}

} // namespace Internal

void App::quit(int code)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
                this, [this, code] { quit(code); }, Qt::QueuedConnection);
        return;
    }
    if (d->state >= State::Closing) {
        // The same request as the close under way (spec §4.1): recorded, the code unchanged —
        // setExitCode() is the way to change it now.
        d->record(u"close.repeated"_s, {{u"cause"_s, u"quit()"_s}}, code);
        return;
    }
    if (code < 0 || code > 255) {
        setExitCode(code); // refused, with its warning; the request stands with the code as is
        code = d->exitCode;
    }
    if (!d->requestQuit(Internal::CloseCause::Quit, code))
        return;
    setExitCode(code);
    d->quitCause = Internal::CloseCause::Quit;
    if (d->inExec && !d->inExecLoop)
        return; // exec(body): there is no loop to leave; the close follows the body
    if (QThread::currentThread()->loopLevel() > 0 && !d->inAboutToQuit)
        QCoreApplication::exit(code); // the close follows via aboutToQuit
    else
        d->close(std::nullopt, Internal::CloseCause::Quit);
}

} // namespace Mortar
