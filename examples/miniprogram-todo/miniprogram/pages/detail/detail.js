// One todo: loaded with the callback style of the API, edited in a form and saved
// whole with doc().set(), which replaces the document.
const db = wx.cloud.database()
const todos = db.collection('todos')

Page({
  data: {
    id: '',
    todo: null,
    title: '',
    note: '',
    missing: false,
    error: '',
  },

  onLoad(query) {
    this.setData({ id: query.id })
    return this.load()
  },

  load() {
    return new Promise((resolve) => {
      todos.doc(this.data.id).get({
        success: (res) => {
          const t = res.data
          this.setData({ todo: t, title: t.title, note: t.note || '', missing: false, error: '' })
          resolve(res)
        },
        fail: (err) => {
          // a todo that was deleted, or someone else's: "does not exist" either way
          this.setData({ todo: null, missing: true, error: err.errMsg })
          resolve(err)
        },
      })
    })
  },

  onTitle(e) {
    this.setData({ title: e.detail.value })
  },

  onNote(e) {
    this.setData({ note: e.detail.value })
  },

  async onSave() {
    const t = this.data.todo
    const res = await todos.doc(this.data.id).set({
      data: {
        title: this.data.title.trim() || t.title,
        note: this.data.note,
        done: t.done,
        stars: t.stars,
        tags: t.tags || [],
        image: t.image || null,
        createdAt: t.createdAt,
        editedAt: db.serverDate(),
      },
    })
    wx.showToast({ title: 'Saved' })
    await this.load()
    return res
  },

  onBack() {
    wx.navigateBack()
  },
})
