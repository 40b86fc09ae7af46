// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortarwidgets_export.h>

#include <QProgressDialog>

#include <memory>

namespace Mortar {

class App;

namespace Internal {
class CloseProgressDialogPrivate;
}

/*!
    \brief Tells the user what a closing App waits for: the handler(s) whose asynchronous work
    is pending and the time left in their timeout.

    Construct one for the App, e.g. next to the main window, and forget it:
    \code
    Mortar::App app({.label = u"notepad"_s});
    QMainWindow window;
    Mortar::CloseProgressDialog progress(app, &window);
    \endcode
    It follows App::pendingHandlersChanged(): once the close has waited for the same continuous
    stretch longer than minimumDuration() (default 500 ms), it shows itself, naming each pending
    handler (in run order) and the seconds left before its timeout (or before the close budget
    ends, if that comes first), and updates as handlers settle; it hides itself as soon as the
    wait ends (the list is empty) and never shows while nothing is pending, so calling show()
    yourself does nothing. A short wait therefore never flashes a window.

    It takes no part in the close: it adds no handler, has no Cancel button (a close cannot be
    cancelled; a quit request can, in \c quit_requested), and closing it only hides it until the
    next change. It does not count as a window for QGuiApplication::quitOnLastWindowClosed.

    Lives in the App's thread; must not outlive the App's QApplication. The App may be
    destroyed first. Link Mortar::Widgets; header \c <mortar/closeprogressdialog.h>.
*/
class MORTAR_WIDGETS_EXPORT CloseProgressDialog final : public QProgressDialog
{
    Q_OBJECT

public:
    explicit CloseProgressDialog(App &app, QWidget *parent = nullptr);
    ~CloseProgressDialog() override;

    /*! The handlers the close is waiting for, as last reported by the App (empty when it
        waits for nothing). */
    QStringList pendingHandlers() const;

    /*! Showing is refused while the close waits for nothing: the dialog decides when it is
        seen. */
    void setVisible(bool visible) override;

private:
    friend class Internal::CloseProgressDialogPrivate;
    std::unique_ptr<Internal::CloseProgressDialogPrivate> const d;
};

} // namespace Mortar
