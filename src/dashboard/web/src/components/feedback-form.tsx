// A 1–10 rating with a comment, posted by the caller; shows the outcome inline.
import { useState } from 'preact/hooks';

export function FeedbackForm({
  onSubmit,
  testId,
  withComment = true,
}: {
  onSubmit: (rating: number, comment: string) => Promise<unknown>;
  testId: string;
  withComment?: boolean;
}) {
  const [rating, setRating] = useState(8);
  const [comment, setComment] = useState('');
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'ok' | 'error'; msg?: string }>({
    kind: 'idle',
  });
  return (
    <form
      class="feedback"
      data-testid={testId}
      onSubmit={(e) => {
        e.preventDefault();
        setState({ kind: 'busy' });
        onSubmit(rating, comment)
          .then(() => {
            setState({ kind: 'ok', msg: `Saved rating ${rating}.` });
            setComment('');
          })
          .catch((err: Error) => setState({ kind: 'error', msg: err.message }));
      }}
    >
      <label>
        Rating
        <input
          type="number"
          name="rating"
          min={1}
          max={10}
          step={1}
          value={rating}
          onInput={(e) => setRating(Number(e.currentTarget.value))}
        />
      </label>
      {withComment && (
        <label class="grow">
          Comment
          <input
            name="comment"
            value={comment}
            maxLength={2000}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
        </label>
      )}
      <button type="submit" disabled={state.kind === 'busy'}>
        Send rating
      </button>
      {state.msg && <span class={state.kind === 'error' ? 'error' : 'ok-text'}>{state.msg}</span>}
    </form>
  );
}
