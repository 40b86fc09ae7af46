// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "timelineview.h"

#include "closesummary.h"
#include "statuscolors.h"

#include <QHash>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStyle>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {
constexpr int LabelWidth = 150;
constexpr int RowHeight = 20;
constexpr int LegendHeight = 18; // the legend's own line: it never hides an axis label
constexpr int AxisHeight = LegendHeight + 22;
constexpr int LaneGap = 4;
constexpr double ProblemMinWidth = 6;
constexpr double MinWidth = 1;

using Status = TimelineView::Status;
using Part = TimelineView::Part;

Status statusOf(const QString &status)
{
    if (status == u"ok"_s)
        return Status::Ok;
    if (status == u"failed"_s)
        return Status::Failed;
    if (status == u"timedOut"_s)
        return Status::TimedOut;
    if (status == u"skipped"_s)
        return Status::Skipped;
    return Status::DidNotFinish;
}

QString statusName(Status status)
{
    switch (status) {
    case Status::Ok: return u"ok"_s;
    case Status::Failed: return u"failed"_s;
    case Status::TimedOut: return u"timedOut"_s;
    case Status::Skipped: return u"skipped"_s;
    case Status::DidNotFinish: return u"did not finish"_s;
    case Status::Waiting: return u"waiting"_s;
    }
    return {};
}

bool isProblem(Status status)
{
    return status == Status::Failed || status == Status::TimedOut || status == Status::DidNotFinish;
}

} // namespace

/*! The smallest of 1, 2, 5 × 10^k at least \a minimum. */
double TimelineView::tickStep(double minimum)
{
    const double power = std::pow(10.0, std::floor(std::log10(std::max(minimum, 1e-9))));
    for (const double multiple : {1.0, 2.0, 5.0}) {
        if (multiple * power >= minimum)
            return multiple * power;
    }
    return 10 * power;
}

/*! Never 1e+04: the unit follows the step, and the decimals what the step needs. */
QString TimelineView::tickLabel(double ns, double stepNs, double magnitudeNs)
{
    if (magnitudeNs < 0)
        magnitudeNs = std::abs(ns);
    struct Unit
    {
        double ns;
        const char16_t *name;
    };
    static constexpr Unit units[] = {{1e9, u"s"}, {1e6, u"ms"}, {1e3, u"µs"}, {1, u"ns"}};
    for (const Unit &unit : units) {
        // The largest unit in which the step needs at most three decimals and the axis's
        // values are at least 1: 500 ms ticks read 0.5 s, 1 s; 50 µs ticks 20 s into the run
        // read 20007.75 ms, as the event table's t; 50 µs ticks near 0 read 250 µs.
        if ((stepNs >= unit.ns / 1000 && magnitudeNs >= unit.ns) || unit.ns == 1) {
            const double step = stepNs / unit.ns;
            const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
            // (a step of 0.5 needs one decimal, 0.25 none more: steps are 1, 2 or 5 × 10^k)
            QString number = QString::number(ns / unit.ns, 'f', std::clamp(decimals, 0, 3));
            if (number.contains(u'.')) { // 1.0 s reads 1 s, beside 0.5 s and 1.5 s
                while (number.endsWith(u'0'))
                    number.chop(1);
                if (number.endsWith(u'.'))
                    number.chop(1);
            }
            if (number == u"-0"_s)
                number = u"0"_s;
            return u"%1 %2"_s.arg(number, QStringView(unit.name));
        }
    }
    return {};
}

namespace {
// Rows of one kind of span in a lane, filled first-fit: a span goes to the first row free at
// its start, so spans that overlap never share a row.
struct RowFiller
{
    QList<qint64> ends;
    QList<QList<int>> rows;
    void add(int span, qint64 start, qint64 end)
    {
        qsizetype r = 0;
        while (r < ends.size() && ends.at(r) > start)
            ++r;
        if (r == ends.size()) {
            ends.append(end);
            rows.append(QList<int>());
        }
        ends[r] = std::max(end, start);
        rows[r].append(span);
    }
};
} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QWidget(parent),
      m_rowScrollBar(new QScrollBar(Qt::Vertical, this))
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumHeight(AxisHeight + 2 * RowHeight);
    m_rowScrollBar->setObjectName(u"rows"_s);
    m_rowScrollBar->setSingleStep(RowHeight);
    m_rowScrollBar->hide();
    connect(m_rowScrollBar, &QScrollBar::valueChanged, this, [this] { update(); });
}

int TimelineView::contentHeight() const
{
    return rowCount() * RowHeight + int(std::max<qsizetype>(m_lanes.size() - 1, 0)) * LaneGap + 4;
}

int TimelineView::rowScroll() const
{
    return m_rowScrollBar->value();
}

void TimelineView::setRowScroll(int pixels)
{
    m_rowScrollBar->setValue(pixels);
}

void TimelineView::updateRowScrollBar()
{
    // Only the rows scroll: the legend and the axis stay where they are.
    const int visible = std::max(height() - AxisHeight, 1);
    const int hidden = std::max(contentHeight() - visible, 0);
    m_rowScrollBar->setRange(0, hidden);
    m_rowScrollBar->setPageStep(visible);
    const int extent = style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, this);
    m_rowScrollBar->setGeometry(width() - extent, AxisHeight, extent, visible);
    m_rowScrollBar->setVisible(hidden > 0);
}

void TimelineView::ensureRowVisible(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    const int top = rowTop(row);
    if (top < AxisHeight)
        setRowScroll(rowScroll() - (AxisHeight - top));
    else if (top + RowHeight > height())
        setRowScroll(rowScroll() + (top + RowHeight - height()));
}

void TimelineView::setEvents(const QList<TraceEvent> &events)
{
    m_events = &events;
    m_spans.clear();
    m_rows.clear();
    m_lanes.clear();
    m_spanOfEvent.clear();
    m_close.reset();
    m_selected = -1;

    // Spans from the events, as traceSpans() pairs them, but as positions in the event list.
    struct Open
    {
        int span;
        const QString *hook;
        const QString *handler;
    };
    QHash<int, QList<Open>> openCalls;               // by thread, innermost last
    QHash<QString, QList<int>> openHooks;            // thread + hook
    QHash<QString, std::pair<int, int>> awaitingEnd; // hook + handler → (async span, call span)
    qint64 lastT = 0;
    std::optional<qint64> closeBegin, closeEnd;
    for (int i = 0; i < events.size(); ++i) {
        const TraceEvent &event = events.at(i);
        lastT = std::max(lastT, event.t);
        const QString &kind = event.kind;
        if (kind == u"handler.begin"_s) {
            openCalls[event.thread].append({int(m_spans.size()), &event.hook, &event.handler});
            m_spans.append({event.t, event.t, i, -1, 0, Status::DidNotFinish, Part::Call});
        } else if (kind == u"handler.end"_s) {
            QList<Open> &open = openCalls[event.thread];
            auto it = std::find_if(open.rbegin(), open.rend(), [&](const Open &o) {
                return *o.hook == event.hook && *o.handler == event.handler;
            });
            if (it == open.rend()) { // skipped: ends without beginning
                m_spans.append({event.t, event.t, -1, i, 0, statusOf(event.status), Part::Call});
                continue;
            }
            Span &span = m_spans[it->span];
            const int callSpan = it->span;
            open.erase(std::next(it).base());
            span.endNs = event.t;
            span.endEvent = i;
            span.status = statusOf(event.status);
            if (event.extra.value(u"deferred"_s).toBool()) {
                awaitingEnd.insert(event.hook + u'\n' + event.handler,
                                   {int(m_spans.size()), callSpan});
                m_spans.append({event.t, event.t, i, -1, 0, Status::DidNotFinish, Part::Async});
            }
        } else if (kind == u"deferral.end"_s) {
            const auto it = awaitingEnd.constFind(event.hook + u'\n' + event.handler);
            if (it == awaitingEnd.cend())
                continue;
            Span &async = m_spans[it->first];
            const Span &call = m_spans.at(it->second);
            async.endNs =
                    std::max(async.startNs,
                             call.startNs + event.durationNs.value_or(event.t - call.startNs));
            async.endEvent = i;
            async.status = statusOf(event.status);
            awaitingEnd.erase(it);
        } else if (kind == u"hook.begin"_s) {
            openHooks[QString::number(event.thread) + u'\n' + event.hook].append(
                    int(m_spans.size()));
            m_spans.append({event.t, event.t, i, -1, 0, Status::DidNotFinish, Part::Hook});
        } else if (kind == u"hook.end"_s) {
            QList<int> &open = openHooks[QString::number(event.thread) + u'\n' + event.hook];
            if (open.isEmpty())
                continue;
            Span &span = m_spans[open.takeLast()];
            span.endNs = event.t;
            span.endEvent = i;
            span.status = event.status == u"failed"_s ? Status::Failed : Status::Ok;
        } else if (kind == u"close.begin"_s && !closeBegin) {
            closeBegin = event.t;
        } else if (kind == u"close.end"_s) {
            closeEnd = event.t;
        }
    }
    for (Span &span : m_spans) {
        if (span.endEvent < 0 && span.beginEvent >= 0) // did not finish: until the trace stops
            span.endNs = std::max(span.endNs, lastT);
    }
    if (closeBegin)
        m_close = std::pair{*closeBegin, std::max(closeEnd.value_or(lastT), *closeBegin + 1)};

    // Lanes (hook, thread) in order of appearance — those of the close first, since the view
    // opens on it and setup's hooks would push it out of sight; in each, the hook's row(s),
    // then the calls', then the asynchronous parts'.
    struct LaneRows
    {
        QString name;
        RowFiller hooks, calls, async;
        bool inClose = false;
    };
    QList<LaneRows> lanes;
    QHash<QString, int> laneOfName;
    for (int s = 0; s < m_spans.size(); ++s) {
        const Span &span = m_spans.at(s);
        const TraceEvent &first = events.at(span.beginEvent >= 0 ? span.beginEvent : span.endEvent);
        const QString name = first.thread <= 1
                ? first.hook
                : u"%1 (thread %2)"_s.arg(first.hook).arg(first.thread);
        auto it = laneOfName.constFind(name);
        if (it == laneOfName.cend()) {
            it = laneOfName.insert(name, int(lanes.size()));
            lanes.append({name, {}, {}, {}});
        }
        LaneRows &lane = lanes[*it];
        RowFiller &filler = span.part == Part::Hook ? lane.hooks
                : span.part == Part::Call           ? lane.calls
                                                    : lane.async;
        filler.add(s, span.startNs, span.endNs);
        if (m_close && span.endNs >= m_close->first && span.startNs <= m_close->second)
            lane.inClose = true;
    }
    std::stable_partition(lanes.begin(), lanes.end(),
                          [](const LaneRows &lane) { return lane.inClose; });
    for (int l = 0; l < lanes.size(); ++l) {
        Lane lane{lanes[l].name, int(m_rows.size()), 0};
        for (RowFiller *filler : {&lanes[l].hooks, &lanes[l].calls, &lanes[l].async}) {
            for (QList<int> &spans : filler->rows) {
                std::stable_sort(spans.begin(), spans.end(), [this](int a, int b) {
                    return m_spans.at(a).startNs < m_spans.at(b).startNs;
                });
                Row row{l, std::move(spans), {}};
                for (const int s : std::as_const(row.spans)) {
                    m_spans[s].row = int(m_rows.size());
                    if (isProblem(m_spans.at(s).status))
                        row.problems.append(s);
                }
                m_rows.append(std::move(row));
                ++lane.rowCount;
            }
        }
        m_lanes.append(lane);
    }

    m_spanOfEvent.reserve(m_spans.size() * 2);
    for (int s = 0; s < m_spans.size(); ++s) {
        if (m_spans.at(s).part == Part::Async)
            continue; // its events (the call's end, the deferral's end) are the call's
        if (m_spans.at(s).beginEvent >= 0)
            m_spanOfEvent.append({m_spans.at(s).beginEvent, s});
        if (m_spans.at(s).endEvent >= 0)
            m_spanOfEvent.append({m_spans.at(s).endEvent, s});
    }
    for (int s = 0; s < m_spans.size(); ++s) {
        if (m_spans.at(s).part == Part::Async && m_spans.at(s).endEvent >= 0)
            m_spanOfEvent.append({m_spans.at(s).endEvent, s});
    }
    std::stable_sort(m_spanOfEvent.begin(), m_spanOfEvent.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });

    m_firstNs = 0; // the App's creation: the same zero as the event table's t
    m_lastNs = std::max<qint64>(lastT, 1);
    // At most a dozen rows asked for: a trace with thousands of overlapping asynchronous parts
    // must not make the window thousands of rows tall. The others scroll.
    setMinimumHeight(sizeHint().height());
    updateGeometry();
    updateRowScrollBar();
    if (m_view == View::Fitted)
        fit();
    else
        showClose();
}

QList<int> TimelineView::handlerSpans() const
{
    QList<int> spans;
    for (int s = 0; s < m_spans.size(); ++s) {
        if (m_spans.at(s).part != Part::Hook)
            spans.append(s);
    }
    return spans;
}

QString TimelineView::nameOf(const Span &span) const
{
    const TraceEvent &event = m_events->at(span.beginEvent >= 0 ? span.beginEvent : span.endEvent);
    if (span.part == Part::Hook)
        return event.hook;
    return span.part == Part::Async ? event.handler + u" (async)"_s : event.handler;
}

QString TimelineView::hookOf(const Span &span) const
{
    return m_events->at(span.beginEvent >= 0 ? span.beginEvent : span.endEvent).hook;
}

QStringList TimelineView::laneNames() const
{
    QStringList names;
    for (const Lane &lane : m_lanes)
        names << lane.name;
    return names;
}

double TimelineView::plotWidth() const
{
    const int bar = m_rowScrollBar->isVisibleTo(this) ? m_rowScrollBar->width() : 0;
    return std::max(width() - LabelWidth - 10 - bar, 100);
}

qint64 TimelineView::visibleEndNs() const
{
    return qint64(m_offsetNs + plotWidth() * m_nsPerPixel);
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateRowScrollBar();
    if (m_view == View::Fitted)
        fit();
    else if (m_view == View::Close)
        showClose();
}

void TimelineView::zoomTo(qint64 fromNs, qint64 toNs)
{
    m_nsPerPixel = std::max(double(std::max<qint64>(toNs - fromNs, 1)) / plotWidth(), 1e-3);
    m_offsetNs = double(fromNs);
    update();
}

void TimelineView::fit()
{
    m_view = View::Fitted;
    zoomTo(m_firstNs, m_lastNs);
}

void TimelineView::showClose()
{
    m_view = View::Close;
    if (!m_close) {
        zoomTo(m_firstNs, m_lastNs);
        return;
    }
    // A margin either side, so the close's first and last spans are not at the very edge.
    const qint64 length = m_close->second - m_close->first;
    zoomTo(m_close->first - length / 40, m_close->second + length / 40);
}

void TimelineView::zoomBy(double factor, double anchorX)
{
    const double x = anchorX - LabelWidth;
    const double anchorNs = m_offsetNs + x * m_nsPerPixel;
    m_nsPerPixel = std::clamp(m_nsPerPixel * factor, 1e-3, 1e13);
    m_offsetNs = anchorNs - x * m_nsPerPixel;
    m_view = View::User;
    update();
}

void TimelineView::panBy(double pixels)
{
    m_offsetNs += pixels * m_nsPerPixel;
    m_view = View::User;
    update();
}

QSize TimelineView::sizeHint() const
{
    return {800,
            AxisHeight + std::clamp(rowCount(), 2, 12) * RowHeight
                    + int(std::min<qsizetype>(m_lanes.size(), 12)) * LaneGap + 4};
}

double TimelineView::xOf(qint64 ns) const
{
    return LabelWidth + (double(ns) - m_offsetNs) / m_nsPerPixel;
}

int TimelineView::rowTop(int row) const
{
    return AxisHeight + row * RowHeight + m_rows.at(row).lane * LaneGap - rowScroll();
}

int TimelineView::rowAt(int y) const
{
    // What is scrolled under the axis, or out below, is not drawn: nothing to hit there.
    if (y < AxisHeight || y >= height())
        return -1;
    for (int r = 0; r < m_rows.size(); ++r) {
        const int top = rowTop(r);
        if (y >= top && y < top + RowHeight)
            return r;
    }
    return -1;
}

QRectF TimelineView::rectOf(int s) const
{
    const Span &span = m_spans.at(s);
    const double x1 = xOf(span.startNs);
    const double x2 =
            std::max(xOf(span.endNs), x1 + (isProblem(span.status) ? ProblemMinWidth : MinWidth));
    const int top = rowTop(span.row);
    const int inset = span.part == Part::Hook ? 3 : 2;
    return QRectF(x1, top + inset, x2 - x1, RowHeight - 2 * inset);
}

void TimelineView::paintEvent(QPaintEvent *paint)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    if (m_spans.isEmpty()) {
        painter.drawText(rect(), Qt::AlignCenter, u"No handler ran in this trace."_s);
        return;
    }
    const double viewStart = m_offsetNs;
    const double viewEnd = m_offsetNs + (width() - LabelWidth) * m_nsPerPixel;

    // Legend, top right, on a line of its own.
    const QList<std::pair<QString, QString>> legend = {{u"ok"_s, u"ok"_s},
                                                       {u"failed"_s, u"failed"_s},
                                                       {u"timedOut"_s, u"timed out"_s},
                                                       {u"did not finish"_s, u"did not finish"_s}};
    int legendLeft = width() - 8;
    for (auto it = legend.rbegin(); it != legend.rend(); ++it) {
        legendLeft -= painter.fontMetrics().horizontalAdvance(it->second);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QPoint(legendLeft, 14), it->second);
        legendLeft -= 14;
        const QColor color = statusColor(it->first);
        painter.setPen(color.darker(140));
        painter.setBrush(it->first == u"did not finish"_s ? QBrush(color, Qt::BDiagPattern)
                                                          : QBrush(color));
        painter.drawRect(QRect(legendLeft, 5, 10, 10));
        legendLeft -= 12;
    }

    // Time axis: the trace's t, in a unit that suits the zoom.
    const double step = tickStep(90 * m_nsPerPixel); // a tick every 90 px or more
    painter.setPen(palette().color(QPalette::Mid));
    for (double ns = std::ceil(viewStart / step) * step; ns <= viewEnd; ns += step) {
        const double x = xOf(qint64(ns));
        if (x < LabelWidth)
            continue;
        painter.setPen(palette().color(QPalette::Midlight));
        painter.drawLine(QPointF(x, LegendHeight + 2), QPointF(x, height()));
        const QString label = tickLabel(ns, step, std::max(std::abs(viewStart), std::abs(viewEnd)));
        if (x + 3 + painter.fontMetrics().horizontalAdvance(label) <= width()) {
            painter.setPen(palette().color(QPalette::Text));
            painter.drawText(QPointF(x + 3, AxisHeight - 8), label);
        }
    }
    // The close's bounds.
    if (m_close) {
        painter.setPen(QPen(palette().color(QPalette::Text), 1, Qt::DashLine));
        for (const qint64 ns : {m_close->first, m_close->second}) {
            const double x = xOf(ns);
            if (x >= LabelWidth && x <= width())
                painter.drawLine(QPointF(x, AxisHeight - 4), QPointF(x, height()));
        }
    }

    const QFontMetrics metrics = painter.fontMetrics();
    // Under the axis only: the rows scroll beneath it.
    painter.setClipRect(0, AxisHeight, width(), height() - AxisHeight);
    for (int l = 0; l < m_lanes.size(); ++l) {
        const Lane &lane = m_lanes.at(l);
        // A lane's name stays in view while any of its rows is.
        const int top = std::clamp(AxisHeight, rowTop(lane.firstRow),
                                   rowTop(lane.firstRow + std::max(lane.rowCount, 1) - 1));
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(4, top, LabelWidth - 8, RowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                         metrics.elidedText(lane.name, Qt::ElideRight, LabelWidth - 8));
        if (l > 0) {
            painter.setPen(palette().color(QPalette::Mid));
            painter.drawLine(0, top - LaneGap / 2, width(), top - LaneGap / 2);
        }
    }

    painter.setClipRect(LabelWidth, AxisHeight, width() - LabelWidth, height() - AxisHeight);
    const auto drawSpan = [&](int s, const QRectF &box) {
        const Span &span = m_spans.at(s);
        const QColor color = statusColor(statusName(span.status));
        const bool problem = isProblem(span.status);
        if (span.part == Part::Hook) {
            painter.setPen(QPen(color.darker(150)));
            painter.setBrush(span.status == Status::DidNotFinish
                                     ? QBrush(color.lighter(130), Qt::BDiagPattern)
                                     : QBrush(color.lighter(150)));
        } else {
            painter.setPen(problem ? QPen(color.darker(170), 2) : QPen(color.darker(140)));
            painter.setBrush(span.status == Status::DidNotFinish ? QBrush(color, Qt::BDiagPattern)
                                     : span.part == Part::Async  ? QBrush(color, Qt::Dense3Pattern)
                                                                 : QBrush(color));
        }
        painter.drawRect(box);
        if (box.width() > 40) {
            painter.setPen(Qt::black);
            const QRectF text =
                    box.intersected(QRectF(LabelWidth, box.top(), width(), box.height()));
            painter.drawText(
                    text.adjusted(3, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft,
                    metrics.elidedText(nameOf(span), Qt::ElideRight, int(text.width()) - 5));
        }
    };
    for (int r = 0; r < m_rows.size(); ++r) {
        const int top = rowTop(r);
        if (top > paint->rect().bottom() || top + RowHeight < paint->rect().top())
            continue;
        const QList<int> &spans = m_rows.at(r).spans;
        // Only what is visible: the row's spans never overlap, so starts and ends both ascend.
        auto it =
                std::lower_bound(spans.cbegin(), spans.cend(), viewStart, [this](int s, double ns) {
                    return double(m_spans.at(s).endNs) < ns;
                });
        while (it != spans.cend()) {
            const Span &span = m_spans.at(*it);
            if (double(span.startNs) > viewEnd)
                break;
            const double x1 = xOf(span.startNs);
            const double x2 = xOf(span.endNs);
            if (x2 - x1 >= 1 || isProblem(span.status)) {
                if (!isProblem(span.status))
                    drawSpan(*it, rectOf(*it));
                ++it;
                continue;
            }
            // Narrower than a pixel: everything that starts within this pixel is one mark.
            const double pixel = std::floor(x1);
            const double nextNs = m_offsetNs + (pixel + 1 - LabelWidth) * m_nsPerPixel;
            auto next = std::lower_bound(it, spans.cend(), nextNs, [this](int s, double ns) {
                return double(m_spans.at(s).startNs) < ns;
            });
            if (next == it)
                ++next;
            if (std::prev(next) != it && xOf(m_spans.at(*std::prev(next)).endNs) - pixel > 1)
                --next; // the last one is wide: drawn as itself
            const QColor color = statusColor(statusName(span.status));
            painter.fillRect(QRectF(pixel, top + 2, 1, RowHeight - 4),
                             span.part == Part::Hook ? color.lighter(150) : color);
            it = next;
        }
    }
    // Problems on top, never thinner than a few pixels.
    for (const Row &row : std::as_const(m_rows)) {
        for (const int s : row.problems) {
            const Span &span = m_spans.at(s);
            if (double(span.endNs) >= viewStart - ProblemMinWidth * m_nsPerPixel
                && double(span.startNs) <= viewEnd)
                drawSpan(s, rectOf(s));
        }
    }
    if (m_range) {
        const double x1 = xOf(m_range->first);
        const double x2 = std::max(xOf(m_range->second), x1 + 1);
        QColor shade = palette().color(QPalette::Highlight);
        shade.setAlpha(50);
        painter.fillRect(QRectF(x1, AxisHeight, x2 - x1, height() - AxisHeight), shade);
    }
    if (m_selected >= 0) {
        painter.setPen(QPen(palette().color(QPalette::Highlight), 3));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rectOf(m_selected).adjusted(-2, -2, 2, 2));
    }
}

int TimelineView::spanAt(const QPointF &position) const
{
    const int r = rowAt(int(position.y()));
    if (r < 0 || position.x() < LabelWidth)
        return -1;
    const Row &row = m_rows.at(r);
    // What is painted last is on top: problems first.
    for (auto it = row.problems.crbegin(); it != row.problems.crend(); ++it) {
        if (rectOf(*it).adjusted(-1, 0, 1, 0).contains(position.x(), rectOf(*it).center().y()))
            return *it;
    }
    const double ns = m_offsetNs + (position.x() - LabelWidth) * m_nsPerPixel;
    const double slack = 2 * m_nsPerPixel;
    auto it =
            std::lower_bound(row.spans.cbegin(), row.spans.cend(), ns - slack,
                             [this](int s, double at) { return double(m_spans.at(s).endNs) < at; });
    int best = -1;
    double bestDistance = slack + 1;
    for (; it != row.spans.cend() && double(m_spans.at(*it).startNs) <= ns + slack; ++it) {
        const Span &span = m_spans.at(*it);
        const double distance = ns < double(span.startNs) ? double(span.startNs) - ns
                : ns > double(span.endNs)                 ? ns - double(span.endNs)
                                                          : 0;
        if (distance < bestDistance) {
            best = *it;
            bestDistance = distance;
        }
    }
    return best;
}

QString TimelineView::details(int s) const
{
    if (s < 0 || s >= m_spans.size())
        return {};
    const Span &span = m_spans.at(s);
    const TraceEvent &first = m_events->at(span.beginEvent >= 0 ? span.beginEvent : span.endEvent);
    const TraceEvent *last = span.endEvent >= 0 ? &m_events->at(span.endEvent) : nullptr;
    QString text = u"<b>%1</b> (%2)<br>%3, %4, from t = %5"_s.arg(
            nameOf(span).toHtmlEscaped(), span.part == Part::Hook ? u"hook"_s : first.hook,
            statusName(span.status), formatDuration(span.durationNs()),
            formatDuration(span.startNs));
    if (span.part == Part::Hook) {
        if (last)
            text += u"<br>%1 handlers"_s.arg(last->extra.value(u"handlers"_s).toInteger());
        return text;
    }
    if (first.weight)
        text += u"<br>weight %1"_s.arg(*first.weight);
    if (!first.owner.isEmpty())
        text += u", owner %1"_s.arg(first.owner.toHtmlEscaped());
    if (!first.source.isEmpty())
        text += u"<br>%1"_s.arg(first.source.toHtmlEscaped());
    if (last && !last->error.isEmpty())
        text += u"<br><font color=\"#e53935\">%1</font>"_s.arg(last->error.toHtmlEscaped());
    if (span.status == Status::DidNotFinish)
        text += u"<br><font color=\"#8e24aa\">began and never ended: the trace stops here</font>"_s;
    return text;
}

void TimelineView::setSelected(int s, bool notify)
{
    m_selected = s;
    if (s >= 0) {
        // Bring it into view, keeping the zoom unless it is wider than the view.
        const Span &span = m_spans.at(s);
        if (double(span.endNs) < m_offsetNs || double(span.startNs) > double(visibleEndNs())) {
            const double width = plotWidth() * m_nsPerPixel;
            m_offsetNs = double(span.startNs) - width / 3;
            m_view = View::User;
        }
        ensureRowVisible(span.row);
    }
    update();
    if (notify && s >= 0) {
        const Span &span = m_spans.at(s);
        Q_EMIT spanSelected(s, span.beginEvent >= 0 ? span.beginEvent : span.endEvent);
    }
}

void TimelineView::selectSpan(int s)
{
    setSelected(s, true);
}

bool TimelineView::selectEvent(int eventIndex)
{
    const auto it = std::lower_bound(m_spanOfEvent.cbegin(), m_spanOfEvent.cend(), eventIndex,
                                     [](const auto &pair, int e) { return pair.first < e; });
    if (it == m_spanOfEvent.cend() || it->first != eventIndex) {
        setSelected(-1, false);
        return false;
    }
    setSelected(it->second, false);
    return true;
}

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const int s = spanAt(help->pos());
        if (s < 0)
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), details(s), this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    // Over the lane names the wheel scrolls the rows; elsewhere it zooms.
    if (event->position().x() < LabelWidth && m_rowScrollBar->isVisibleTo(this)) {
        setRowScroll(rowScroll() - event->angleDelta().y() * 3 * RowHeight / 120);
        event->accept();
        return;
    }
    // Zoom around the pointer: the instant under it stays put.
    zoomBy(event->angleDelta().y() > 0 ? 1 / 1.25 : 1.25, event->position().x());
    event->accept();
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    const double centre = LabelWidth + plotWidth() / 2;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
    case Qt::Key_W: zoomBy(1 / 1.5, centre); break;
    case Qt::Key_Minus:
    case Qt::Key_S: zoomBy(1.5, centre); break;
    case Qt::Key_Left:
    case Qt::Key_A: panBy(-plotWidth() / 5); break;
    case Qt::Key_Right:
    case Qt::Key_D: panBy(plotWidth() / 5); break;
    case Qt::Key_0: fit(); break;
    case Qt::Key_Escape: clearRange(); break;
    case Qt::Key_PageUp: setRowScroll(rowScroll() - m_rowScrollBar->pageStep()); break;
    case Qt::Key_PageDown: setRowScroll(rowScroll() + m_rowScrollBar->pageStep()); break;
    case Qt::Key_C: showClose(); break;
    case Qt::Key_Z:
        if (m_range) {
            zoomTo(m_range->first, m_range->second);
            m_view = View::User;
        } else if (m_selected >= 0) {
            const Span &span = m_spans.at(m_selected);
            const qint64 length = std::max<qint64>(span.durationNs(), 1000);
            zoomTo(span.startNs - length / 10, span.startNs + length + length / 10);
            m_view = View::User;
        }
        break;
    default: QWidget::keyPressEvent(event); return;
    }
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    setFocus(Qt::MouseFocusReason);
    m_dragStart = event->pos();
    m_dragOffsetNs = m_offsetNs;
    m_dragged = false;
    m_selectingRange = event->modifiers() & Qt::ShiftModifier;
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    if ((event->buttons() & Qt::LeftButton) && m_selectingRange) {
        const auto nsAt = [this](int x) {
            return qint64(m_offsetNs + (x - LabelWidth) * m_nsPerPixel);
        };
        m_dragged = true;
        m_range = std::minmax(nsAt(m_dragStart.x()), nsAt(event->pos().x()));
        update();
        return;
    }
    if (event->buttons() & Qt::LeftButton) {
        if ((event->pos() - m_dragStart).manhattanLength() > 3)
            m_dragged = true;
        if (!m_dragged)
            return;
        m_offsetNs = m_dragOffsetNs - (event->pos().x() - m_dragStart.x()) * m_nsPerPixel;
        m_view = View::User;
        update();
    }
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_selectingRange && m_dragged && m_range) {
        m_selectingRange = false;
        selectRange(m_range->first, m_range->second);
        return;
    }
    m_selectingRange = false;
    if (event->button() == Qt::LeftButton && !m_dragged)
        selectSpan(spanAt(event->position()));
}

void TimelineView::selectRange(qint64 fromNs, qint64 toNs)
{
    m_range = std::minmax(fromNs, toNs);
    update();
    Q_EMIT rangeSelected(m_range->first, m_range->second);
}

void TimelineView::clearRange()
{
    m_range.reset();
    update();
}

QString TimelineView::rangeDetails() const
{
    if (!m_range)
        return {};
    const auto [from, to] = *m_range;
    qint64 runs = 0, problems = 0, busyNs = 0;
    int longest = -1;
    for (const Row &row : m_rows) {
        // The row's spans in the range: those that end after it starts, until one starts after
        // it ends.
        auto it = std::lower_bound(row.spans.cbegin(), row.spans.cend(), from,
                                   [this](int s, qint64 ns) { return m_spans.at(s).endNs < ns; });
        for (; it != row.spans.cend() && m_spans.at(*it).startNs <= to; ++it) {
            const Span &span = m_spans.at(*it);
            if (span.part == Part::Hook)
                continue;
            ++runs;
            problems += isProblem(span.status) ? 1 : 0;
            if (span.part == Part::Call) // the asynchronous parts overlap the calls
                busyNs += std::min(span.endNs, to) - std::max(span.startNs, from);
            if (longest < 0 || span.durationNs() > m_spans.at(longest).durationNs())
                longest = *it;
        }
    }
    QString text = u"<b>Range</b> %1 … %2 (%3): %4 handler runs, %5 in handler calls"_s
                           .arg(formatDuration(from), formatDuration(to), formatDuration(to - from))
                           .arg(runs)
                           .arg(formatDuration(busyNs));
    if (problems)
        text += u", <font color=\"#e53935\">%1 problems</font>"_s.arg(problems);
    if (longest >= 0)
        text += u"<br>longest: %1, %2"_s.arg(nameOf(m_spans.at(longest)).toHtmlEscaped(),
                                             formatDuration(m_spans.at(longest).durationNs()));
    return text;
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *)
{
    fit();
}

} // namespace Mortar::Inspector
