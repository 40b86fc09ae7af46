// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/trace.h>

#include <QList>
#include <QWidget>

#include <optional>

class QScrollBar;

namespace Mortar::Inspector {

/*!
    \brief The cleanup timeline: one lane per hook (and thread). Its first row is the hook
    itself (a parent slice), under it the handlers' calls, and under those each asynchronous
    part on a sub-row of its own, so no span ever covers another. Spans are coloured by status;
    one that never finished is hatched up to where the trace stops.

    Time is the trace's \c t (since the App was created), as in the event table. It opens on
    the close. Wheel or +/- zooms around the pointer, dragging or the arrow keys pan, a double
    click or 0 shows everything, C the close, Z the selected span. Clicking a span selects it
    (spanSelected()); selectEvent() selects the span of an event. Hit-testing follows the paint
    order: what is drawn on top is what is picked.

    It keeps no copy of the events: a span is a few numbers and the positions of its events in
    the list the view shares with the models (a million events, half a million spans). Painting
    touches only what is visible, and spans narrower than a pixel are merged; problems (failed,
    timed out, did not finish) are drawn last and never thinner than a few pixels.
*/
class TimelineView final : public QWidget
{
    Q_OBJECT

public:
    enum class Status : quint8 { Ok, Failed, TimedOut, Skipped, DidNotFinish, Waiting };
    enum class Part : quint8 { Hook, Call, Async };
    struct Span
    {
        qint64 startNs = 0;
        qint64 endNs = 0;
        int beginEvent = -1; //!< index of its handler.begin / hook.begin (-1 if none: skipped)
        int endEvent = -1;   //!< index of the event that ended it (-1 if it never ended)
        int row = 0;         //!< the timeline row it is drawn in
        Status status = Status::Ok;
        Part part = Part::Call;

        qint64 durationNs() const { return endNs - startNs; }
    };

    explicit TimelineView(QWidget *parent = nullptr);

    /*! Shows \a events, which must stay alive (and unchanged but for appends) until the next
        setEvents(): the view keeps a pointer to them. */
    void setEvents(const QList<TraceEvent> &events);
    const QList<Span> &spans() const { return m_spans; }
    /*! The handler spans (calls, and asynchronous parts), in the order the handlers began. */
    QList<int> handlerSpans() const;
    QString nameOf(const Span &span) const;
    QString hookOf(const Span &span) const;
    QStringList laneNames() const;
    int rowCount() const { return int(m_rows.size()); }
    /*! The rectangle \a span is drawn in (its visible part, at least a few pixels wide). */
    QRectF rectOf(int span) const;
    int spanAt(const QPointF &position) const;

    /*! Shows everything. */
    void fit();
    /*! Shows the close (close.begin to its end), or everything if there is none. */
    void showClose();
    void zoomTo(qint64 fromNs, qint64 toNs);
    void zoomBy(double factor, double anchorX);
    void panBy(double pixels);
    qint64 visibleStartNs() const { return qint64(m_offsetNs); }
    qint64 visibleEndNs() const;

    int selectedSpan() const { return m_selected; }
    /*! Selects \a span (-1: none) and brings it into view; emits spanSelected(). */
    void selectSpan(int span);
    /*! Selects the span that event \a eventIndex begins or ends, without emitting. */
    bool selectEvent(int eventIndex);
    /*! Describes \a span: handler, hook, status, duration, weight, owner, source, error. */
    QString details(int span) const;

    /*! Selects the time range [\a fromNs, \a toNs] (Shift + drag); emits rangeSelected(). */
    void selectRange(qint64 fromNs, qint64 toNs);
    void clearRange();
    std::optional<std::pair<qint64, qint64>> range() const { return m_range; }
    /*! The selected range's totals: its length, the handler runs in it, their time in it, the
        problems among them and the longest. */
    QString rangeDetails() const;

    /*! Asks for at most a dozen rows; the others are a scroll away (the bar on the right, the
        wheel over the lane names, Page Up / Page Down), with the axis always in view. */
    QSize sizeHint() const override;
    /*! How far the rows are scrolled, in pixels (0: the first row under the axis). */
    int rowScroll() const;
    void setRowScroll(int pixels);

    /*! A tick's label in the unit that \a stepNs and the axis's largest value \a magnitudeNs
        (|\a ns| if negative) suit: "250 µs", "1.5 s", "20007.75 ms" — one unit per axis. */
    static QString tickLabel(double ns, double stepNs, double magnitudeNs = -1);
    /*! The tick interval for at least \a minimumNs: 1, 2 or 5 × 10^k ns. */
    static double tickStep(double minimumNs);

Q_SIGNALS:
    /*! The user selected \a span (an index into spans()); \a eventIndex is its first event. */
    void spanSelected(int span, int eventIndex);
    /*! The user selected a time range (Shift + drag). */
    void rangeSelected(qint64 fromNs, qint64 toNs);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Row
    {
        int lane;
        QList<int> spans;    // by start; they never overlap, so their ends ascend too
        QList<int> problems; // the problem spans among them, painted last
    };
    struct Lane
    {
        QString name;
        int firstRow;
        int rowCount;
    };
    double xOf(qint64 ns) const;
    double plotWidth() const;
    int rowTop(int row) const;
    /*! The height of every row and lane gap under the axis. */
    int contentHeight() const;
    void updateRowScrollBar();
    /*! Scrolls so that \a row is in view. */
    void ensureRowVisible(int row);
    int rowAt(int y) const;
    void setSelected(int span, bool notify);

    // The event model's list, not a copy: a live app's events keep being appended to it, and a
    // second reference would make every append copy a million events.
    const QList<TraceEvent> *m_events = &m_noEvents;
    QList<TraceEvent> m_noEvents;
    QList<Span> m_spans;
    QList<Row> m_rows;
    QList<Lane> m_lanes;
    QList<std::pair<int, int>> m_spanOfEvent; // (event index, span), by event index
    qint64 m_firstNs = 0;
    qint64 m_lastNs = 1;
    std::optional<std::pair<qint64, qint64>> m_close;
    double m_nsPerPixel = 1;
    double m_offsetNs = 0;
    enum class View { Fitted, Close, User } m_view = View::Close; // followed on resize
    QPoint m_dragStart;
    double m_dragOffsetNs = 0;
    bool m_dragged = false;
    bool m_selectingRange = false;
    std::optional<std::pair<qint64, qint64>> m_range;
    int m_selected = -1;
    QScrollBar *m_rowScrollBar; // child; shown when the rows do not fit
};

} // namespace Mortar::Inspector
